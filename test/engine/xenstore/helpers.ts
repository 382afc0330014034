// In-process xenstore connections for the unit tests: requests go through the real
// framing (encode → Connection.receive) and replies are decoded back.
import { XenstoreDaemon } from '../../../engine/xenstore/daemon';
import type { DaemonOptions } from '../../../engine/xenstore/daemon';
import type { Connection } from '../../../engine/xenstore/connection';
import type { XsMessage } from '../../../engine/xenstore/wire';
import { FrameDecoder, XsType, encode, joinStrings, splitStrings } from '../../../engine/xenstore/wire';

export class MemClient {
  readonly conn: Connection;
  private readonly decoder = new FrameDecoder();
  readonly inbox: XsMessage[] = [];
  closed = false;

  constructor(daemon: XenstoreDaemon, domid: number) {
    this.conn = daemon.connect(domid, {
      write: (b, consumed) => {
        this.inbox.push(...this.decoder.push(b));
        consumed();
      },
      close: () => {
        this.closed = true;
      },
    });
  }

  /** Sends one request; returns its reply (the last non-event frame received). */
  req(type: number, payload: Buffer | string, txId = 0): XsMessage {
    this.conn.receive(encode(type, 7, txId, typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload));
    const replies = this.inbox.filter((m) => m.type !== XsType.WATCH_EVENT);
    const r = replies[replies.length - 1];
    if (r === undefined) throw new Error('no reply');
    this.inbox.splice(this.inbox.indexOf(r), 1);
    return r;
  }

  /** The reply as text, or "ERR:<NAME>". */
  call(type: number, ...args: string[]): string {
    return text(this.req(type, joinStrings(args)));
  }

  callTx(tx: number, type: number, ...args: string[]): string {
    return text(this.req(type, joinStrings(args), tx));
  }

  write(path: string, value: string, tx = 0): string {
    return text(this.req(XsType.WRITE, Buffer.from(`${path}\0${value}`, 'latin1'), tx));
  }

  read(path: string, tx = 0): string {
    return text(this.req(XsType.READ, `${path}\0`, tx));
  }

  /** Watch events delivered so far (flushes queued ones), consumed. */
  events(): [string, string][] {
    this.conn.flush();
    const ev = this.inbox.filter((m) => m.type === XsType.WATCH_EVENT);
    for (const e of ev) this.inbox.splice(this.inbox.indexOf(e), 1);
    return ev.map((e) => splitStrings(e.payload) as [string, string]);
  }
}

export function text(m: XsMessage): string {
  const s = m.payload.toString('latin1');
  return m.type === XsType.ERROR ? `ERR:${s.replace(/\0$/, '')}` : s;
}

export function daemon(opts?: DaemonOptions): XenstoreDaemon {
  return new XenstoreDaemon(opts);
}
