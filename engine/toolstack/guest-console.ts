/**
 * The backend end of a simulated guest's console page, the part of xenconsoled
 * (tools/console/daemon/io.c) that the toolstack keeps for an embedded host: on each
 * event-channel kick it takes everything between out_cons and out_prod, moves out_cons
 * and kicks the guest back (so a guest waiting for room goes on); keystrokes go into
 * the 1 KiB input ring, the rest waiting here until the guest has read. Every stream
 * attached gets the output; while any of them is paused the ring is not read, so the
 * guest waits and nothing is lost (docs/misc/console.txt).
 */
import type { ConsoleInterface } from '../guest/console-ring';
import type { ConsoleStream } from './console-stream';

export class GuestConsoleBackend {
  private readonly streams = new Set<EmbeddedConsole>();
  private inputQueue: Uint8Array[] = [];
  private readonly enc = new TextEncoder();
  private closedReason: string | undefined;

  constructor(
    readonly domid: number,
    private readonly iface: ConsoleInterface,
  ) {
    iface.bindBackend(() => this.kick());
  }

  /** A new reader; `listener` (if given) already hears what is in the ring now. */
  attach(listener?: (data: Uint8Array) => void): EmbeddedConsole {
    if (this.closedReason !== undefined) throw new Error(this.closedReason);
    const s = new EmbeddedConsole(this.domid, this);
    if (listener) s.onData(listener);
    this.streams.add(s);
    this.kick();
    return s;
  }

  /** xenconsoled's handle_ring_read, and the input side of it. */
  kick(): void {
    if (this.closedReason !== undefined) return;
    let kickGuest = false;
    while (this.inputQueue.length > 0 && this.iface.in.space > 0) {
      const head = this.inputQueue[0]!;
      const n = this.iface.in.write(head);
      if (n < head.length) this.inputQueue[0] = head.subarray(n);
      else this.inputQueue.shift();
      kickGuest = true;
    }
    const readers = [...this.streams];
    if (readers.length > 0 && !readers.some((s) => s.paused) && this.iface.out.used > 0) {
      const data = this.iface.out.read();
      for (const s of readers) s.deliver(data);
      kickGuest = true;
    }
    if (kickGuest) this.iface.notifyGuest();
  }

  input(data: string | Uint8Array): void {
    if (this.closedReason !== undefined) return;
    const bytes = typeof data === 'string' ? this.enc.encode(data) : data;
    if (bytes.length === 0) return;
    this.inputQueue.push(bytes);
    this.kick();
  }

  detach(s: EmbeddedConsole): void {
    this.streams.delete(s);
  }

  /** The domain is gone: every stream ends. */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    for (const s of [...this.streams]) s.ended(reason);
    this.streams.clear();
  }
}

export class EmbeddedConsole implements ConsoleStream {
  paused = false;
  private readonly dataListeners = new Set<(d: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private closed = false;

  constructor(
    readonly domid: number,
    private readonly backend: GuestConsoleBackend,
  ) {}

  onData(listener: (data: Uint8Array) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  write(data: string | Uint8Array): void {
    if (!this.closed) this.backend.input(data);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (!this.closed) this.backend.kick();
  }

  close(): void {
    if (this.closed) return;
    this.backend.detach(this);
    this.ended('detached');
  }

  deliver(data: Uint8Array): void {
    for (const l of this.dataListeners) l(data);
  }

  ended(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l(reason);
    this.closeListeners.clear();
    this.dataListeners.clear();
  }
}
