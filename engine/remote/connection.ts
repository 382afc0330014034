// A connection to one real host that survives drops. Before each request it makes sure
// a transport is up, reconnecting with exponential back-off. When the link drops under
// a request, a query (idempotent: xl list, xl info, ...) is sent again on the new
// connection, but an operation that changes the host (create, destroy, pause, ...) is
// never repeated: it may have happened, so the caller gets ConnectionLostError and
// decides after looking at the host again. Authentication and host-key errors are not
// retried: waiting does not fix them.
import { ConnectionLostError, HostUnreachableError, RemoteError } from './errors';
import {
  TransportClosedError,
  type ExecOptions,
  type ExecResult,
  type LineStream,
  type PtyChannel,
  type PtySize,
  type RemoteTransport,
} from './transport';

export interface BackoffPolicy {
  /** First delay before a reconnect attempt, ms. */
  initialMs: number;
  /** Each further delay is multiplied by this... */
  factor: number;
  /** ...up to this, ms. */
  maxMs: number;
  /** Give up after this many failed connection attempts in a row. */
  attempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, factor: 2, maxMs: 15_000, attempts: 6 };

/** The delay before reconnect attempt n (0-based): initial * factor^n, capped. */
export function backoffDelay(p: BackoffPolicy, attempt: number): number {
  return Math.min(p.maxMs, p.initialMs * p.factor ** attempt);
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'closed';

export interface ConnectionOptions {
  /** Opens a new transport (SshTransport.connect with the host's settings). */
  connect: () => Promise<RemoteTransport>;
  target: string;
  backoff?: BackoffPolicy;
  /** Injected so tests do not wait in real time. */
  sleep?: (ms: number) => Promise<void>;
  onState?: (state: ConnectionState, detail?: string) => void;
}

export interface RunOptions extends ExecOptions {
  /** True when running the command twice is harmless (queries). */
  idempotent: boolean;
}

export class RemoteConnection {
  private transport: RemoteTransport | undefined;
  private connecting: Promise<RemoteTransport> | undefined;
  private closed = false;
  private everConnected = false;
  private readonly backoff: BackoffPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Attach a drop listener to each new transport (see onDrop). */
  private readonly dropListeners = new Set<(t: RemoteTransport) => void>();

  constructor(private readonly opts: ConnectionOptions) {
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get target(): string {
    return this.opts.target;
  }

  get isConnected(): boolean {
    return this.transport?.isConnected ?? false;
  }

  /** Connects now (the first connection gets no retries, so bad settings fail fast). */
  async open(): Promise<void> {
    await this.ensure();
  }

  async run(command: string, opts: RunOptions): Promise<ExecResult> {
    for (let resend = 0; ; resend++) {
      const t = await this.ensure();
      try {
        return await t.exec(command, opts);
      } catch (e) {
        if (!(e instanceof TransportClosedError)) throw e;
        if (e.sent && !opts.idempotent) throw new ConnectionLostError(this.target, command, true);
        // A query, or a request that never left: safe to send on a new connection.
        if (resend >= this.backoff.attempts) throw new ConnectionLostError(this.target, command, e.sent);
        // sshd refused the session on a link that is still up: wait before asking again
        if (t.isConnected) await this.sleep(backoffDelay(this.backoff, resend));
      }
    }
  }

  /** A pty is a live session: if the link drops the caller sees it close and reopens. */
  async openPty(command: string, size: PtySize): Promise<PtyChannel> {
    return this.withTransport(command, (t) => t.openPty(command, size));
  }

  async openLineStream(command: string): Promise<LineStream> {
    return this.withTransport(command, (t) => t.openLineStream(command));
  }

  /** Calls back whenever the current transport drops. */
  onDrop(listener: (reason: string) => void): () => void {
    const wrapped = new Set<() => void>();
    let active = true;
    const attach = (t: RemoteTransport): void => {
      wrapped.add(t.onDisconnect((r) => { if (active && !this.closed) listener(r); }));
    };
    if (this.transport !== undefined) attach(this.transport);
    this.dropListeners.add(attach);
    return () => {
      active = false;
      this.dropListeners.delete(attach);
      for (const w of wrapped) w();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.opts.onState?.('closed');
    const t = this.transport;
    this.transport = undefined;
    await t?.close();
  }

  private async withTransport<T>(what: string, f: (t: RemoteTransport) => Promise<T>): Promise<T> {
    for (let resend = 0; ; resend++) {
      const t = await this.ensure();
      try {
        return await f(t);
      } catch (e) {
        if (!(e instanceof TransportClosedError)) throw e;
        // Opening a session changes nothing on the host, so it may be tried again.
        if (resend >= this.backoff.attempts) throw new ConnectionLostError(this.target, what, false);
        if (t.isConnected) await this.sleep(backoffDelay(this.backoff, resend));
      }
    }
  }

  private ensure(): Promise<RemoteTransport> {
    if (this.closed) return Promise.reject(new RemoteError('connection-lost', `connection to ${this.target} was closed`));
    if (this.transport?.isConnected) return Promise.resolve(this.transport);
    this.connecting ??= this.reconnect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async reconnect(): Promise<RemoteTransport> {
    const first = !this.everConnected;
    this.opts.onState?.(first ? 'connecting' : 'reconnecting');
    let last: unknown;
    const attempts = first ? 1 : this.backoff.attempts;
    for (let n = 0; n < attempts; n++) {
      if (n > 0 || !first) await this.sleep(backoffDelay(this.backoff, n));
      if (this.closed) throw new RemoteError('connection-lost', `connection to ${this.target} was closed`);
      try {
        const t = await this.opts.connect();
        this.transport = t;
        this.everConnected = true;
        t.onDisconnect((reason) => {
          if (!this.closed) this.opts.onState?.('disconnected', reason);
        });
        for (const l of this.dropListeners) l(t);
        this.opts.onState?.('connected');
        return t;
      } catch (e) {
        last = e;
        // Only an unreachable host is worth waiting for.
        if (!(e instanceof HostUnreachableError)) throw e;
      }
    }
    this.opts.onState?.('disconnected', last instanceof Error ? last.message : String(last));
    throw last;
  }
}
