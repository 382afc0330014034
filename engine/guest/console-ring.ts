/**
 * A guest console page as Xen lays it out (xen/include/public/io/console.h,
 * struct xencons_interface): an input ring of 1024 bytes (backend → guest: keystrokes)
 * and an output ring of 2048 bytes (guest → backend), each with a free-running producer
 * and consumer index (XENCONS_RING_IDX, 32 bits) masked by the ring size
 * (MASK_XENCONS_IDX). Each side writes only its own producer and the other ring's
 * consumer, and kicks the other over the console event channel after moving an index
 * (docs/misc/console.txt: the ring reference and event channel are in xenstore at
 * /local/domain/<domid>/console/{ring-ref,port}).
 *
 * Indexes wrap at 2^32 like Xen's unsigned ones; a ring is full when prod - cons equals
 * its size. The two kicks are plain callbacks standing in for the event channel.
 */
export const XENCONS_IN_SIZE = 1024;
export const XENCONS_OUT_SIZE = 2048;

const U32 = 0x1_0000_0000;
const dist = (prod: number, cons: number): number => (prod - cons + U32) % U32;

/** One direction: bytes, producer and consumer indexes. */
export class ConsoleRingBuffer {
  readonly buf: Uint8Array;
  prod = 0;
  cons = 0;

  constructor(readonly size: number) {
    this.buf = new Uint8Array(size);
  }

  get used(): number {
    return dist(this.prod, this.cons);
  }

  get space(): number {
    return this.size - this.used;
  }

  /** Producer side: copy what fits, move prod. Returns the bytes taken. */
  write(data: Uint8Array, offset = 0): number {
    const n = Math.min(this.space, data.length - offset);
    const start = this.prod % this.size;
    const first = Math.min(n, this.size - start);
    this.buf.set(data.subarray(offset, offset + first), start);
    if (first < n) this.buf.set(data.subarray(offset + first, offset + n), 0);
    this.prod = (this.prod + n) % U32;
    return n;
  }

  /** Consumer side: take everything between cons and prod, move cons. */
  read(): Uint8Array {
    const n = this.used;
    const out = new Uint8Array(n);
    const start = this.cons % this.size;
    const first = Math.min(n, this.size - start);
    out.set(this.buf.subarray(start, start + first), 0);
    if (first < n) out.set(this.buf.subarray(0, n - first), first);
    this.cons = (this.cons + n) % U32;
    return out;
  }
}

/** struct xencons_interface with the two event-channel kicks. */
export class ConsoleInterface {
  readonly in = new ConsoleRingBuffer(XENCONS_IN_SIZE);
  readonly out = new ConsoleRingBuffer(XENCONS_OUT_SIZE);
  /** notify_remote_via_evtchn from the guest: the backend has output to read or input space. */
  private toBackend: () => void = () => {};
  /** The backend's kick: input to read, or output space freed. */
  private toGuest: () => void = () => {};

  bindBackend(kick: () => void): void {
    this.toBackend = kick;
  }

  bindGuest(kick: () => void): void {
    this.toGuest = kick;
  }

  notifyBackend(): void {
    this.toBackend();
  }

  notifyGuest(): void {
    this.toGuest();
  }
}
