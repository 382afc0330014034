/**
 * A minimal xenstore client (the protocol of xs_wire.h, as libxenstore speaks it):
 * requests matched to replies by req_id, WATCH_EVENTs handed to a listener. Over the
 * unix socket (the toolstack, tests, the benchmark), or in process as a guest's xenbus
 * connection carrying its domid (`XsClient.xenbus`).
 */
import net from 'node:net';
import type { XenstoreDaemon } from './daemon';
import { XsError, isXsErrorName } from './errors';
import type { XsMessage } from './wire';
import { FrameDecoder, XsType, encode, joinStrings, splitStrings } from './wire';

/** The byte stream under a client. */
export interface XsTransport {
  write(b: Buffer): void;
  destroy(): void;
  on(event: 'data', fn: (chunk: Buffer) => void): void;
  on(event: 'close', fn: () => void): void;
  on(event: 'error', fn: (e: Error) => void): void;
}

/** A guest's xenbus ring, in process: frames go straight to a daemon Connection. */
class XenbusTransport implements XsTransport {
  private readonly dataFns: ((chunk: Buffer) => void)[] = [];
  private readonly closeFns: (() => void)[] = [];
  private readonly conn;
  private closed = false;

  constructor(daemon: XenstoreDaemon, domid: number) {
    this.conn = daemon.connect(domid, {
      write: (b, consumed) => {
        // Asynchronous like a ring: the guest sees replies after its request returns.
        queueMicrotask(() => {
          for (const fn of this.dataFns) fn(b);
          consumed();
        });
      },
      close: () => this.closeNow(),
    });
  }

  write(b: Buffer): void {
    if (!this.closed) this.conn.receive(b);
  }

  destroy(): void {
    this.conn.close();
    this.closeNow();
  }

  private closeNow(): void {
    if (this.closed) return;
    this.closed = true;
    queueMicrotask(() => {
      for (const fn of this.closeFns) fn();
    });
  }

  on(event: 'data' | 'close' | 'error', fn: ((chunk: Buffer) => void) | (() => void) | ((e: Error) => void)): void {
    if (event === 'data') this.dataFns.push(fn as (chunk: Buffer) => void);
    else if (event === 'close') this.closeFns.push(fn as () => void);
  }
}

/**
 * A transport not there yet (a socket still connecting, a ring whose domain's layout is
 * still being written): writes wait for it, and a failure to open it closes the client
 * (its requests fail), so a client can be handed out synchronously.
 */
class DeferredTransport implements XsTransport {
  private t: XsTransport | undefined;
  private held: Buffer[] = [];
  private readonly fns = { data: [] as ((chunk: Buffer) => void)[], close: [] as (() => void)[], error: [] as ((e: Error) => void)[] };
  private destroyed = false;

  constructor(open: Promise<XsTransport>) {
    open.then(
      (t) => {
        if (this.destroyed) return t.destroy();
        this.t = t;
        t.on('data', (c: Buffer) => this.fns.data.forEach((f) => f(c)));
        t.on('error', (e: Error) => this.fns.error.forEach((f) => f(e)));
        t.on('close', () => this.fns.close.forEach((f) => f()));
        for (const b of this.held) t.write(b);
        this.held = [];
      },
      (e: unknown) => this.fns.error.forEach((f) => f(e instanceof Error ? e : new Error(String(e)))),
    );
  }

  write(b: Buffer): void {
    if (this.destroyed) return;
    if (this.t) this.t.write(b);
    else this.held.push(b);
  }

  destroy(): void {
    this.destroyed = true;
    this.t?.destroy();
    if (!this.t) this.fns.close.forEach((f) => f());
  }

  on(event: 'data' | 'close' | 'error', fn: ((chunk: Buffer) => void) | (() => void) | ((e: Error) => void)): void {
    if (event === 'data') this.fns.data.push(fn as (chunk: Buffer) => void);
    else if (event === 'close') this.fns.close.push(fn as () => void);
    else this.fns.error.push(fn as (e: Error) => void);
  }
}

function connectSocket(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(path);
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      s.setNoDelay(true);
      resolve(s);
    });
  });
}

interface Pending {
  resolve(m: XsMessage): void;
  reject(e: Error): void;
}

/** How often, and how far apart, a reconnecting client tries to open its connection again. */
const REOPEN_TRIES = 200;
const REOPEN_DELAY_MS = 25;

export class XsClient {
  private decoder = new FrameDecoder();
  private readonly pending = new Map<number, Pending>();
  private nextReq = 1;
  private readonly eventListeners: ((path: string, token: string) => void)[] = [];
  private readonly reconnectListeners: (() => void)[] = [];
  private closedError: Error | undefined;
  private sock!: XsTransport;
  /** The watches registered on this connection, to register again after a reconnect. */
  private readonly watches = new Map<string, [string, string]>();
  private userClosed = false;
  /** Requests made in this turn, written together (see send()). */
  private outq: Buffer[] = [];
  private outScheduled = false;

  private constructor(
    sock: XsTransport,
    /** Opens the connection again after it was lost (a reconnecting client), else undefined. */
    private reopen?: () => Promise<XsTransport>,
  ) {
    this.attach(sock);
  }

  private attach(sock: XsTransport): void {
    this.sock = sock;
    this.decoder = new FrameDecoder();
    sock.on('data', (chunk: Buffer) => {
      if (this.sock !== sock) return;
      for (const m of this.decoder.push(chunk)) this.dispatch(m);
    });
    sock.on('error', (e: Error) => this.lost(sock, e));
    sock.on('close', () => this.lost(sock, new Error('xenstore connection closed')));
  }

  /**
   * The connection under the client is gone. The requests in flight fail (their replies
   * were lost with the daemon); a reconnecting client then opens a new connection and
   * registers its watches again, as Linux's xenbus does in xs_resume()
   * (drivers/xen/xenbus/xenbus_xs.c): xenstored fires each re-registered watch once, so
   * its owner looks at the node again and sees what changed while it was away.
   */
  private lost(sock: XsTransport, e: Error): void {
    if (this.sock !== sock || this.closedError !== undefined) return;
    // requests not written yet belong to the lost connection: they fail with the others
    this.outq = [];
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    const reopen = this.reopen;
    if (reopen === undefined || this.userClosed) {
      this.closedError = e;
      return;
    }
    this.attach(new DeferredTransport(this.reopenWithRetries(reopen)));
    for (const [path, token] of this.watches.values()) this.request(XsType.WATCH, joinStrings([path, token])).catch(() => {});
    for (const fn of this.reconnectListeners) fn();
  }

  /** Tries to open the connection again while the daemon restarts; gives up after REOPEN_TRIES. */
  private async reopenWithRetries(reopen: () => Promise<XsTransport>): Promise<XsTransport> {
    for (let i = 0; ; i++) {
      try {
        return await reopen();
      } catch (e) {
        if (i >= REOPEN_TRIES || this.userClosed) {
          this.reopen = undefined; // the failure below closes the client for good
          throw e;
        }
        await new Promise((r) => setTimeout(r, REOPEN_DELAY_MS));
      }
    }
  }

  static async connect(path: string): Promise<XsClient> {
    return new XsClient(await connectSocket(path));
  }

  /**
   * A dom0 connection to a xenstored process (a plain socket connection is privileged,
   * as xenstored's unix socket is), returned at once; its requests go out once `after`
   * and the connection are there. For dom0's own drivers (blkback / netback), with
   * `reconnect`: when the xenstored process dies (kill -9; its supervisor restarts it from
   * its store) the connection is opened again and its watches registered again (see lost()).
   */
  static dom0OverSocket(path: string, after: Promise<void> = Promise.resolve(), opts: { reconnect?: boolean } = {}): XsClient {
    return new XsClient(new DeferredTransport(after.then(() => connectSocket(path))), opts.reconnect ? () => connectSocket(path) : undefined);
  }

  /**
   * Domain `domid`'s xenbus connection to a xenstored process: a socket connection whose
   * first request attaches the domain's ring (INTRODUCE with the page and event channel
   * dom0 introduced it with; connection.ts), returned at once, its requests sent once
   * `after` (the domain's layout written) and the connection are there.
   */
  static xenbusOverSocket(path: string, domid: number, mfn: bigint, evtchn: number, after: Promise<void> = Promise.resolve()): XsClient {
    const c = new XsClient(new DeferredTransport(after.then(() => connectSocket(path))));
    c.request(XsType.INTRODUCE, joinStrings([String(domid), String(mfn), String(evtchn)])).catch(() => c.close());
    return c;
  }

  /**
   * Domain `domid`'s xenbus connection to an in-process daemon (unprivileged unless 0);
   * with `after`, its requests wait for it (the domain's layout written).
   */
  static xenbus(daemon: XenstoreDaemon, domid: number, after?: Promise<void>): XsClient {
    if (after === undefined) return new XsClient(new XenbusTransport(daemon, domid));
    return new XsClient(new DeferredTransport(after.then(() => new XenbusTransport(daemon, domid))));
  }

  onWatch(fn: (path: string, token: string) => void): void {
    this.eventListeners.push(fn);
  }

  /** Called when a reconnecting client has lost its connection and opens it again. */
  onReconnect(fn: () => void): void {
    this.reconnectListeners.push(fn);
  }

  private dispatch(m: XsMessage): void {
    if (m.type === XsType.WATCH_EVENT) {
      const [p = '', t = ''] = splitStrings(m.payload);
      for (const fn of this.eventListeners) fn(p, t);
      return;
    }
    const p = this.pending.get(m.reqId);
    if (p === undefined) return;
    this.pending.delete(m.reqId);
    p.resolve(m);
  }

  /** Sends a raw request; resolves with the payload or rejects with XsError. */
  async request(type: number, payload: Buffer | string, txId = 0): Promise<Buffer> {
    if (this.closedError) throw this.closedError;
    const reqId = this.nextReq;
    this.nextReq = (this.nextReq + 1) >>> 0 || 1;
    const reply = await new Promise<XsMessage>((resolve, reject) => {
      this.pending.set(reqId, { resolve, reject });
      this.send(encode(type, reqId, txId, payload));
    });
    if (reply.type === XsType.ERROR) {
      const name = reply.payload.toString('latin1').replace(/\0+$/, '');
      throw new XsError(isXsErrorName(name) ? name : 'EINVAL', name);
    }
    return reply.payload;
  }

  /**
   * Requests made in one synchronous run (a pipelined batch, Promise.all of reads) go out
   * as one write at the end of it (a microtask: no added latency for a lone request), so
   * N requests in flight cost one syscall instead of N.
   */
  private send(frame: Buffer): void {
    this.outq.push(frame);
    if (this.outScheduled) return;
    this.outScheduled = true;
    queueMicrotask(() => {
      this.outScheduled = false;
      const q = this.outq;
      this.outq = [];
      if (q.length > 0) this.sock.write(q.length === 1 ? q[0]! : Buffer.concat(q));
    });
  }

  async read(path: string, tx = 0): Promise<string> {
    return (await this.request(XsType.READ, `${path}\0`, tx)).toString('latin1');
  }

  async write(path: string, value: string, tx = 0): Promise<void> {
    await this.request(XsType.WRITE, `${path}\0${value}`, tx);
  }

  async mkdir(path: string, tx = 0): Promise<void> {
    await this.request(XsType.MKDIR, `${path}\0`, tx);
  }

  async rm(path: string, tx = 0): Promise<void> {
    await this.request(XsType.RM, `${path}\0`, tx);
  }

  async directory(path: string, tx = 0): Promise<string[]> {
    return splitStrings(await this.request(XsType.DIRECTORY, `${path}\0`, tx));
  }

  async getPerms(path: string, tx = 0): Promise<string[]> {
    return splitStrings(await this.request(XsType.GET_PERMS, `${path}\0`, tx));
  }

  async setPerms(path: string, perms: string[], tx = 0): Promise<void> {
    await this.request(XsType.SET_PERMS, joinStrings([path, ...perms]), tx);
  }

  async watch(path: string, token: string): Promise<void> {
    await this.request(XsType.WATCH, joinStrings([path, token]));
    this.watches.set(`${path}\0${token}`, [path, token]);
  }

  async unwatch(path: string, token: string): Promise<void> {
    this.watches.delete(`${path}\0${token}`);
    await this.request(XsType.UNWATCH, joinStrings([path, token]));
  }

  async transactionStart(): Promise<number> {
    return Number(splitStrings(await this.request(XsType.TRANSACTION_START, '\0'))[0]);
  }

  async transactionEnd(tx: number, commit = true): Promise<void> {
    await this.request(XsType.TRANSACTION_END, commit ? 'T\0' : 'F\0', tx);
  }

  /** INTRODUCE: dom0 tells xenstored about a new domain's ring (@introduceDomain fires). */
  async introduce(domid: number, mfn: bigint, evtchn: number): Promise<void> {
    await this.request(XsType.INTRODUCE, joinStrings([String(domid), String(mfn), String(evtchn)]));
  }

  /** RELEASE: the domain is gone (@releaseDomain fires). */
  async release(domid: number): Promise<void> {
    await this.request(XsType.RELEASE, joinStrings([String(domid)]));
  }

  async isIntroduced(domid: number): Promise<boolean> {
    return splitStrings(await this.request(XsType.IS_DOMAIN_INTRODUCED, joinStrings([String(domid)])))[0] === 'T';
  }

  /** The connection is gone (closed, or its daemon died); requests fail. */
  get isClosed(): boolean {
    return this.closedError !== undefined;
  }

  close(): void {
    this.userClosed = true;
    this.sock.destroy();
  }
}
