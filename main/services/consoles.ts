/**
 * The console service: xenconsoled's role for the GUI (tools/console/daemon/io.c). It
 * reads every embedded domain's console from the moment the domain is created (as
 * xenconsoled does on @introduceDomain), keeps each one's recent output
 * (./console-history.ts) so a console opened later shows it, holds back a guest that
 * floods (./console-rate-limit.ts), fans the output out to every open console view and
 * passes keystrokes back to the guest. A real host's console is opened on first use
 * (`xl console` over ssh). Output to a view is coalesced: one item per burst. A view that
 * falls behind (its stream's window full) holds the ring unread until it caught up, as
 * xenconsoled stops reading a ring while its buffer is full (io.c buffer_available): the
 * guest waits, nothing is dropped and the service's memory stays bounded.
 *
 * The same hold bounds one burst: the simulated clock runs a whole pacer step at once,
 * and a flooding guest could fill megabytes in it (9 MB seen in one 457 ms step, sent
 * only after it, the browser idle meanwhile). Once a view's unsent output reaches
 * VIEW_BUFFER_CHARS (xenconsoled's buffer max_capacity: io.c stops polling the event
 * channel at it) the ring is not read until that output went out; then the clock is
 * brought up to now again at once (setImmediate, so acks and input are read first)
 * instead of at the next pacer interval, so the guest goes on as fast as wall time and
 * the views allow, in slices that the server and the browser work on side by side.
 */
import type { ConsoleStream } from '../../engine/toolstack/console-stream';
import type { ToolstackHost } from '../../engine/toolstack/host-api';
import { ToolstackError } from '../../engine/toolstack/toolstack-error';
import type { ToolstackEvent } from '../../engine/toolstack/types';
import { ClockPacer, type PacerOptions } from './clock-pacer';
import { ConsoleHistory, DEFAULT_HISTORY_CHARS } from './console-history';
import { ConsoleLogFile } from './console-log';
import { ConsoleRateLimiter, DEFAULT_RATE_LIMIT, realRateTimers, type RateLimit, type RateLimitTimers } from './console-rate-limit';

/** What the service needs of the lab. */
export interface ConsoleLab {
  host(id: string): ToolstackHost;
  all(): ToolstackHost[];
  subscribe(listener: (e: ToolstackEvent) => void): () => void;
}

export interface ConsoleServiceOptions {
  historyChars?: number;
  rateLimit?: RateLimit;
  rateTimers?: RateLimitTimers;
  /** Where xenconsoled-style logs go (<lab>/logs/console): one guest-NAME.log per domain. */
  logDir?: string;
  /** Pace embedded hosts' clocks to wall time (the app and `serve`); off in tests. */
  pace?: boolean | PacerOptions;
  /** A view's unsent output at which the ring is held (VIEW_BUFFER_CHARS). */
  viewBufferChars?: number;
}

/** A view's sink: false when the view is behind (its stream's window is full). */
type Push = (chunk: string) => unknown;
/** Tells a view's source once the view caught up again. */
type OnDrain = (fn: () => void) => void;

/** A view's unsent output at which the ring is held until it went out. */
// 4 Mi characters: with 256 Ki the flood went out in ~120 items and the bench's log lines fell from
// 21-22 to 15-16 MB/s (per-item work on both sides); at 4 Mi it streams at 21-22 MB/s, server RSS
// peak ~175 MB (quiet, same minutes).
export const VIEW_BUFFER_CHARS = 4 * 1024 * 1024;
/** The hold of a full view buffer (./consoles.ts header). */
const BUFFER_FULL = 'view buffer full';

interface DomainConsole {
  hostId: string;
  domid: number;
  stream: ConsoleStream | undefined;
  attaching: Promise<ConsoleStream> | undefined;
  history: ConsoleHistory;
  decoder: InstanceType<typeof TextDecoder>;
  limiter: ConsoleRateLimiter | undefined;
  subscribers: Map<Push, string>;
  drains: Map<Push, OnDrain>;
  /** Why the ring is not read now: the rate limit, or views that are behind. */
  holds: Set<unknown>;
  flushQueued: boolean;
  closed: string | undefined;
  log: ConsoleLogFile | undefined;
}

export class ConsoleService {
  private readonly consoles = new Map<string, DomainConsole>();
  private readonly historyChars: number;
  private readonly logDir: string | undefined;
  private readonly rateLimit: RateLimit;
  private readonly rateTimers: RateLimitTimers;
  private readonly viewBufferChars: number;
  private catchUpQueued = false;
  readonly pacer: ClockPacer | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly lab: ConsoleLab,
    opts: ConsoleServiceOptions = {},
  ) {
    this.historyChars = opts.historyChars ?? DEFAULT_HISTORY_CHARS;
    this.logDir = opts.logDir;
    this.rateLimit = opts.rateLimit ?? DEFAULT_RATE_LIMIT;
    this.rateTimers = opts.rateTimers ?? realRateTimers;
    this.viewBufferChars = opts.viewBufferChars ?? VIEW_BUFFER_CHARS;
    this.pacer = opts.pace ? new ClockPacer(() => lab.all(), opts.pace === true ? {} : opts.pace) : undefined;
  }

  /** Follow the lab: read the console of every embedded domain there is and will be. */
  async start(): Promise<void> {
    this.unsubscribe ??= this.lab.subscribe((e) => this.onEvent(e));
    this.pacer?.start();
    for (const h of this.lab.all()) {
      if (h.kind !== 'embedded') continue;
      for (const d of await h.listDomains()) if (d.domid !== 0) void this.attach(h.id, d.domid).catch(() => {});
    }
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.pacer?.stop();
    for (const c of this.consoles.values()) this.drop(c, 'console service stopped');
  }

  /** Open a console view: first the history, then live output. Returns its close. */
  subscribe(hostId: string, domid: number, push: Push, onDrain?: OnDrain): () => void {
    this.lab.host(hostId); // ENOENT for an unknown host, before anything starts
    const c = this.record(hostId, domid);
    const history = c.history.text();
    c.subscribers.set(push, '');
    if (onDrain) c.drains.set(push, onDrain);
    if (history !== '') this.deliver(c, push, history);
    if (!c.stream) {
      this.attach(hostId, domid).catch((e: unknown) => push(`\r\n[console: ${ToolstackError.from(e).message}]\r\n`));
    }
    return () => {
      c.subscribers.delete(push);
      c.drains.delete(push);
      this.release(c, push);
      if (c.subscribers.size === 0 && c.closed !== undefined) this.consoles.delete(key(hostId, domid));
    };
  }

  /** Keystrokes to the guest (xenconsoled writes them into the input ring). */
  async input(hostId: string, domid: number, data: string): Promise<void> {
    this.lab.host(hostId);
    this.pacer?.tick();
    const stream = await this.attach(hostId, domid);
    stream.write(data);
  }

  /** The recent output of a domain's console. */
  history(hostId: string, domid: number): string {
    return this.consoles.get(key(hostId, domid))?.history.text() ?? '';
  }

  /** Whether a domain's console is being held back for flooding. */
  throttled(hostId: string, domid: number): number {
    return this.consoles.get(key(hostId, domid))?.limiter?.throttled ?? 0;
  }

  private onEvent(e: ToolstackEvent): void {
    if (e.kind === 'domain.created') {
      let host: ToolstackHost;
      try {
        host = this.lab.host(e.hostId);
      } catch {
        return;
      }
      if (host.kind === 'embedded') void this.attach(e.hostId, e.domain.domid).catch(() => {});
    } else if (e.kind === 'domain.destroyed') {
      const c = this.consoles.get(key(e.hostId, e.domid));
      if (c) this.drop(c, 'domain destroyed');
    }
  }

  private record(hostId: string, domid: number): DomainConsole {
    const k = key(hostId, domid);
    let c = this.consoles.get(k);
    if (!c || (c.closed !== undefined && c.subscribers.size === 0)) {
      c = {
        hostId,
        domid,
        stream: undefined,
        attaching: undefined,
        history: new ConsoleHistory(this.historyChars),
        decoder: new TextDecoder(),
        limiter: undefined,
        subscribers: new Map(),
        drains: new Map(),
        holds: new Set(),
        flushQueued: false,
        closed: undefined,
        log: undefined,
      };
      this.consoles.set(k, c);
    }
    return c;
  }

  private attach(hostId: string, domid: number): Promise<ConsoleStream> {
    const c = this.record(hostId, domid);
    if (c.stream) return Promise.resolve(c.stream);
    if (c.attaching) return c.attaching;
    const host = this.lab.host(hostId);
    if (!host.console) return Promise.reject(new ToolstackError('ENOSYS', `host ${hostId} gives no console access`));
    c.attaching = host.console(domid).then(
      (stream) => {
        c.attaching = undefined;
        c.closed = undefined;
        c.stream = stream;
        if (c.holds.size > 0) stream.pause?.();
        if (stream.pause && stream.resume) {
          c.limiter = new ConsoleRateLimiter(this.rateLimit, this.rateTimers, () => this.hold(c, 'rate'), () => this.release(c, 'rate'));
        }
        if (this.logDir !== undefined && domid !== 0) {
          const log = new ConsoleLogFile(this.logDir);
          c.log = log;
          host.domain(domid).then(
            (d) => log.open(d.name),
            () => log.open(String(domid)),
          );
        }
        stream.onData((d) => this.output(c, d));
        stream.onClose((reason) => this.drop(c, reason));
        return stream;
      },
      (e: unknown) => {
        c.attaching = undefined;
        throw e;
      },
    );
    return c.attaching;
  }

  private output(c: DomainConsole, data: Uint8Array): void {
    c.limiter?.account(data.length);
    c.log?.write(data);
    const text = c.decoder.decode(data, { stream: true });
    if (text === '') return;
    c.history.append(text);
    let most = 0;
    for (const [push, pending] of c.subscribers) {
      const unsent = pending + text;
      c.subscribers.set(push, unsent);
      most = Math.max(most, unsent.length);
    }
    if (most >= this.viewBufferChars) this.hold(c, BUFFER_FULL);
    if (!c.flushQueued && c.subscribers.size > 0) {
      c.flushQueued = true;
      queueMicrotask(() => this.flush(c));
    }
  }

  private flush(c: DomainConsole): void {
    c.flushQueued = false;
    const out = [...c.subscribers].filter(([, pending]) => pending !== '');
    for (const [push] of out) c.subscribers.set(push, '');
    if (c.holds.has(BUFFER_FULL)) {
      // What waited in the ring and the guest's tty buffer goes out with this item.
      this.release(c, BUFFER_FULL);
      this.catchUp();
    }
    for (const [push, pending] of out) {
      const more = c.subscribers.get(push);
      if (more === undefined) continue; // the view closed meanwhile
      c.subscribers.set(push, '');
      this.deliver(c, push, pending + more);
    }
  }

  /** The guest was held inside a pacer step: bring the clocks up to now soon, not a pacer interval later. */
  private catchUp(): void {
    if (!this.pacer?.running || this.catchUpQueued) return;
    this.catchUpQueued = true;
    setImmediate(() => {
      this.catchUpQueued = false;
      this.pacer?.tick();
    });
  }

  /** One chunk to one view; a view that is behind holds the ring until it drained. */
  private deliver(c: DomainConsole, push: Push, text: string): void {
    if (push(text) !== false || c.holds.has(push)) return;
    const onDrain = c.drains.get(push);
    if (!onDrain) return;
    this.hold(c, push);
    onDrain(() => this.release(c, push));
  }

  private hold(c: DomainConsole, why: unknown): void {
    const was = c.holds.size;
    c.holds.add(why);
    if (was === 0) c.stream?.pause?.();
  }

  private release(c: DomainConsole, why: unknown): void {
    if (!c.holds.delete(why) || c.holds.size > 0) return;
    c.stream?.resume?.();
  }

  private drop(c: DomainConsole, reason: string): void {
    if (c.closed !== undefined) return;
    this.flush(c);
    c.closed = reason;
    c.limiter?.dispose();
    void c.log?.end();
    c.log = undefined;
    const s = c.stream;
    c.stream = undefined;
    s?.close();
    for (const push of c.subscribers.keys()) push(`\r\n[console closed: ${reason}]\r\n`);
    if (c.subscribers.size === 0) this.consoles.delete(key(c.hostId, c.domid));
  }
}

function key(hostId: string, domid: number): string {
  return `${hostId}/${domid}`;
}
