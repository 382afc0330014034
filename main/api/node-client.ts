/**
 * A typed api client for Node programs (the command line) over the local socket of a
 * running XenDeck: one JSON envelope per line, requests matched to responses by id.
 */
import { connect, type Socket } from 'node:net';
import type { MethodName, Params, Result, TopicItem, TopicName, TopicParams } from './contract';
import { ApiCallError } from './api-call-error';
import type { ServerMessage } from './envelope';

/** A failed request on the local socket (the one error class every api client throws). */
export class LocalApiError extends ApiCallError {
  override readonly name: string = 'LocalApiError';
}

export class LocalApiClient {
  private nextId = 1;
  private buf = '';
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly subs = new Map<number, { onItems(items: unknown[]): void; onEnd(e?: LocalApiError): void }>();

  private constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      this.buf += chunk;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        this.dispatch(JSON.parse(line) as ServerMessage);
      }
    });
    sock.on('close', () => {
      const gone = new LocalApiError({ code: 'ECONNRESET', message: 'XenDeck closed the api socket' });
      for (const p of this.pending.values()) p.reject(gone);
      this.pending.clear();
      for (const s of this.subs.values()) s.onEnd(gone);
      this.subs.clear();
    });
  }

  static connect(path: string): Promise<LocalApiClient> {
    return new Promise((resolve, reject) => {
      const s = connect(path);
      s.once('connect', () => resolve(new LocalApiClient(s)));
      s.once('error', (e: NodeJS.ErrnoException) =>
        reject(new LocalApiError({ code: e.code ?? 'EIO', message: `no XenDeck answers at ${path} (${e.code ?? e.message})`, hint: 'start it with `npm start` or `npm run serve`' })),
      );
    });
  }

  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const id = this.nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.sock.write(`${JSON.stringify({ t: 'req', id, method, params })}\n`);
    });
  }

  /** A subscription: its batches are acked once `onItems` ran (the server paces itself on acks). */
  subscribe<T extends TopicName>(topic: T, params: TopicParams<T>, onItems: (items: TopicItem<T>[]) => void, onEnd: (e?: LocalApiError) => void): () => void {
    const id = this.nextId++;
    this.subs.set(id, { onItems: onItems as (items: unknown[]) => void, onEnd });
    this.sock.write(`${JSON.stringify({ t: 'sub', id, topic, params })}\n`);
    return () => {
      if (this.subs.delete(id) && !this.sock.destroyed) this.sock.write(`${JSON.stringify({ t: 'unsub', id })}\n`);
    };
  }

  close(): void {
    this.sock.end();
  }

  private dispatch(m: ServerMessage): void {
    if (m.t === 'batch') {
      const s = this.subs.get(m.id);
      if (!s) return;
      s.onItems(m.items);
      this.sock.write(`${JSON.stringify({ t: 'ack', id: m.id, seq: m.seq })}\n`);
      return;
    }
    if (m.t === 'end') {
      const s = this.subs.get(m.id);
      this.subs.delete(m.id);
      s?.onEnd(m.error ? new LocalApiError(m.error) : undefined);
      return;
    }
    if (m.t !== 'res') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new LocalApiError(m.error));
  }
}
