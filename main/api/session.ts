/**
 * One client's session, whatever carries it (an Electron MessagePort, a WebSocket): it
 * parses each incoming envelope, passes requests to the router, keeps the client's
 * subscriptions and their flow-controlled streams, and ends them all when the client goes.
 * A malformed message gets an EBADREQ response; nothing a client sends can throw here.
 */
import { encodeByteBatch } from './byte-batch';
import { isTopicName, topics } from './contract';
import { ClientMessageSchema, STREAM, type ServerMessage } from './envelope';
import type { Router } from './router';
import { OutgoingStream, realTimers, type StreamLimits, type TimerLike } from './stream';

interface Subscription {
  stream: OutgoingStream;
  stop: () => void;
}

/** Largest message a client may send (a 256 KiB xl.cfg plus its envelope). */
export const MAX_CLIENT_MESSAGE_BYTES = 300 * 1024;

export class ApiSession {
  private readonly subs = new Map<number, Subscription>();
  private closed = false;

  /**
   * `sendFrame`: a transport that carries binary frames (the WebSocket) sends the batches of
   * a byte-stream topic (`bytes` in the contract) through it, encoded by ./byte-batch.ts.
   */
  constructor(
    private readonly router: Router,
    private readonly send: (m: ServerMessage) => void,
    private readonly timers: TimerLike = realTimers,
    private readonly sendFrame?: (frame: Uint8Array) => void,
  ) {}

  /** A message as text (WebSocket) or as a structured-clone value (MessagePort). */
  async receive(raw: unknown): Promise<void> {
    if (this.closed) return;
    let value = raw;
    if (typeof raw === 'string') {
      if (raw.length > MAX_CLIENT_MESSAGE_BYTES) return this.reply(-1, 'E2BIG', `message of ${raw.length} bytes (at most ${MAX_CLIENT_MESSAGE_BYTES})`);
      try {
        value = JSON.parse(raw);
      } catch {
        return this.reply(-1, 'EBADREQ', 'message is not JSON');
      }
    }
    const m = ClientMessageSchema.safeParse(value);
    if (!m.success) {
      const id = typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'number' ? (value as { id: number }).id : -1;
      return this.reply(id, 'EBADREQ', `malformed message: ${m.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ')}`);
    }
    const msg = m.data;
    switch (msg.t) {
      case 'req': {
        const out = await this.router.request(msg.method, msg.params);
        if (!this.closed) this.send(out.ok ? { t: 'res', id: msg.id, ok: true, result: out.result } : { t: 'res', id: msg.id, ok: false, error: out.error });
        return;
      }
      case 'sub': {
        if (this.subs.has(msg.id)) return this.reply(msg.id, 'EBADREQ', `subscription ${msg.id} already exists`);
        // A topic may batch for less time than the default (a console's echo).
        const def = isTopicName(msg.topic) ? (topics[msg.topic] as { limits?: Partial<StreamLimits>; bytes?: boolean }) : undefined;
        const frames = def?.bytes ? this.sendFrame : undefined;
        const send = frames ? (m: ServerMessage) => (m.t === 'batch' ? frames(encodeByteBatch(m)) : this.send(m)) : this.send;
        const stream = new OutgoingStream(msg.id, send, this.timers, { ...STREAM, ...def?.limits });
        const r = this.router.subscribe(msg.topic, msg.params, (item) => stream.push(item), (fn) => stream.onDrain(fn));
        if ('error' in r) {
          this.send({ t: 'end', id: msg.id, error: r.error });
          return;
        }
        this.subs.set(msg.id, { stream, stop: r.stop });
        this.send({ t: 'res', id: msg.id, ok: true, result: {} });
        return;
      }
      case 'unsub':
        this.end(msg.id);
        return;
      case 'ack':
        this.subs.get(msg.id)?.stream.ack(msg.seq);
        return;
    }
  }

  get subscriptions(): number {
    return this.subs.size;
  }

  close(): void {
    this.closed = true;
    for (const id of [...this.subs.keys()]) this.end(id);
  }

  private end(id: number): void {
    const s = this.subs.get(id);
    if (!s) return;
    s.stop();
    s.stream.close();
    this.subs.delete(id);
  }

  private reply(id: number, code: string, message: string): void {
    this.send({ t: 'res', id, ok: false, error: { code, message } });
  }
}
