/**
 * The contents of the host's machine frames, kept sparsely: a frame has bytes here only
 * once something wrote to it, every other frame reads as zeros. Xen hands out scrubbed
 * frames (xen/common/page_alloc.c: scrub_one_page on free, or before the frame is given
 * to a guest), so a frame never written since its allocation is all zeros, and a 1 TiB
 * guest that touched a few pages costs a few pages of host memory.
 *
 * Contents belong to machine frames (mfn), not to guest frames: a guest reaches them
 * through its p2m, the toolstack through a foreign mapping (foreign-memory.ts).
 */
import { XenError } from '../errno';
import { PAGE_SIZE } from '../page';

export class FrameStore {
  private readonly frames = new Map<number, Uint8Array>();

  /** Frames holding bytes (written at least once since their last scrub). */
  get framesHeld(): number {
    return this.frames.size;
  }

  /** Host bytes spent on contents. */
  get bytesHeld(): number {
    return this.frames.size * PAGE_SIZE;
  }

  /** The frame's bytes, or undefined for a frame that reads as zeros. Do not modify. */
  peek(mfn: number): Uint8Array | undefined {
    return this.frames.get(mfn);
  }

  /** Copy `length` bytes from offset into a new array (zeros for a frame never written). */
  read(mfn: number, offset = 0, length = PAGE_SIZE - offset): Uint8Array {
    checkSpan(offset, length);
    const f = this.frames.get(mfn);
    return f ? f.slice(offset, offset + length) : new Uint8Array(length);
  }

  /** Write bytes at offset within the frame. */
  write(mfn: number, offset: number, bytes: Uint8Array): void {
    checkSpan(offset, bytes.length);
    if (bytes.length === 0) return;
    let f = this.frames.get(mfn);
    if (!f) {
      if (isZero(bytes)) return; // writing zeros into a zero frame changes nothing
      f = new Uint8Array(PAGE_SIZE);
      this.frames.set(mfn, f);
    }
    f.set(bytes, offset);
  }

  /** scrub_one_page for `count` frames from mfn: they read as zeros again. */
  scrub(mfn: number, count: number): void {
    if (count > this.frames.size) {
      for (const m of [...this.frames.keys()]) if (m >= mfn && m < mfn + count) this.frames.delete(m);
    } else {
      for (let m = mfn; m < mfn + count; m++) this.frames.delete(m);
    }
  }
}

export function isZero(bytes: Uint8Array): boolean {
  // compare 4 bytes at a time where alignment allows
  const n4 = bytes.byteOffset % 4 === 0 ? bytes.length >>> 2 : 0;
  if (n4 > 0) {
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset, n4);
    for (let i = 0; i < n4; i++) if (w[i] !== 0) return false;
  }
  for (let i = n4 << 2; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

function checkSpan(offset: number, length: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > PAGE_SIZE) {
    throw new XenError('EINVAL', `offset ${offset} length ${length} outside a ${PAGE_SIZE}-byte page`);
  }
}
