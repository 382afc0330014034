/**
 * The browser link: a WebSocket to /api of the page's own origin (the server set the
 * token cookie when the page was opened). Text frames carry JSON envelopes, binary frames
 * the batches of a byte-stream topic (a console). It reconnects with a capped backoff; the client
 * re-subscribes on reconnect.
 */
import { decodeByteBatch } from '../../../main/api/byte-batch';
import type { ClientMessage, ServerMessage } from '../../../main/api/envelope';
import type { Link, LinkState } from './link';

export class WebSocketLink implements Link {
  state: LinkState = 'connecting';
  private ws: WebSocket | undefined;
  private readonly messageCbs: ((m: ServerMessage) => void)[] = [];
  private readonly stateCbs: ((s: LinkState) => void)[] = [];
  private backoffMs = 250;
  private outbox: string[] = [];

  constructor(private readonly url: string) {
    this.open();
  }

  send(m: ClientMessage): void {
    const text = JSON.stringify(m);
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);
    else this.outbox.push(text);
  }

  onMessage(cb: (m: ServerMessage) => void): void {
    this.messageCbs.push(cb);
  }

  onState(cb: (s: LinkState) => void): void {
    this.stateCbs.push(cb);
  }

  private setState(s: LinkState): void {
    this.state = s;
    for (const cb of this.stateCbs) cb(s);
  }

  private open(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    this.setState('connecting');
    ws.onopen = () => {
      this.backoffMs = 250;
      const pending = this.outbox;
      this.outbox = [];
      this.setState('open');
      for (const t of pending) ws.send(t);
    };
    // A byte-stream topic's batches come as binary frames (main/api/byte-batch.ts).
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => {
      let m: ServerMessage;
      try {
        m = typeof ev.data === 'string' ? (JSON.parse(ev.data) as ServerMessage) : decodeByteBatch(new Uint8Array(ev.data));
      } catch {
        return;
      }
      for (const cb of this.messageCbs) cb(m);
    };
    ws.onclose = () => {
      this.setState('closed');
      setTimeout(() => this.open(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 5000);
    };
  }
}

/** ws://host/api of the page that loaded us. */
export function defaultApiUrl(loc: Location = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api`;
}
