/**
 * The hypervisor console ring (xen/drivers/char/console.c: conring), what `xl dmesg`
 * reads through XEN_SYSCTL_readconsole. Xen's lines carry the "(XEN) " prefix; the ring
 * is a fixed-size byte buffer (conring_size, 16 KiB by default; grows with many CPUs),
 * so the oldest text is overwritten. readconsole can read from the start of what is
 * kept, or incrementally from an index (`xl dmesg` reads all; `-c` clears after).
 */
export const CONRING_DEFAULT_SIZE = 16 * 1024;

export class ConsoleRing {
  private readonly buf: Uint8Array;
  /** Total bytes ever written (Xen's conringp); the ring keeps the last `size`. */
  private prod = 0;
  /** Bytes before this index are cleared (readconsole with clear=1). */
  private cleared = 0;
  private readonly enc = new TextEncoder();
  private readonly dec = new TextDecoder();

  constructor(readonly size: number = CONRING_DEFAULT_SIZE) {
    if (!Number.isInteger(size) || size < 1024) throw new RangeError(`conring size ${size} too small`);
    this.buf = new Uint8Array(size);
  }

  /** printk(): one line, prefixed "(XEN) " as Xen prints its own messages. */
  printk(line: string): void {
    this.write(`(XEN) ${line}\n`);
  }

  write(text: string): void {
    for (const b of this.enc.encode(text)) {
      this.buf[this.prod % this.size] = b;
      this.prod++;
    }
    for (const fn of this.writers) fn();
  }

  private readonly writers = new Set<() => void>();

  /** Something was written (the serial console's reader, e.g. `xl console 0`, follows it). */
  onWrite(fn: () => void): () => void {
    this.writers.add(fn);
    return () => this.writers.delete(fn);
  }

  /** Oldest index still held. */
  get start(): number {
    return Math.max(this.cleared, this.prod - this.size);
  }

  get end(): number {
    return this.prod;
  }

  /**
   * XEN_SYSCTL_readconsole: text from `from` (default: oldest held) to the end; with
   * `clear`, later reads start after it.
   */
  read(opts: { from?: number; clear?: boolean } = {}): { text: string; next: number } {
    const from = Math.max(opts.from ?? this.start, this.start);
    const out = new Uint8Array(this.prod - from);
    for (let i = from; i < this.prod; i++) out[i - from] = this.buf[i % this.size]!;
    if (opts.clear) this.cleared = this.prod;
    return { text: this.dec.decode(out), next: this.prod };
  }
}
