/**
 * The contents of the host's machine frames, kept sparsely: a frame has bytes here only
 * once something wrote to it, every other frame reads as zeros. Xen hands out scrubbed
 * frames (xen/common/page_alloc.c: scrub_one_page on free, or before the frame is given
 * to a guest), so a frame never written since its allocation is all zeros, and a 1 TiB
 * guest that touched a few pages costs a few pages of host memory.
 *
 * Contents belong to machine frames (mfn), not to guest frames: a guest reaches them
 * through its p2m, the toolstack through a foreign mapping (foreign-memory.ts).
 *
 * Identical contents can be shared (`share`): frames whose bytes are the same point at
 * one refcounted copy, and the first write to one of them gives it a private copy first
 * (copy-on-write). This follows Xen's memory sharing (xen/arch/x86/mm/mem_sharing.c:
 * pages found identical are backed by one shared frame, a write fault on it runs
 * mem_sharing_unshare_page, which copies it for the writer; nr_shared_mfns /
 * nr_saved_mfns count them), but only for the simulator's own memory: each machine
 * frame stays allocated to its domain, so tot_pages, free memory and every figure `xl`
 * shows are what they were. Xen frees a shared guest's frames to dom_cow only when a
 * dom0 tool asks it to (XENMEM_sharing_op nominate / share); ten thousand guests booted
 * from one kernel are not shared on a real host by themselves, so this store does not
 * pretend they are, it just does not keep ten thousand copies of the same bytes.
 */
import { XenError } from '../errno';
import { PAGE_SIZE } from '../page';

export class FrameStore {
  private readonly frames = new Map<number, Uint8Array>();
  /** Shared copies: how many frames point at each (a copy with no frame left is dropped). */
  private readonly refs = new Map<Uint8Array, number>();
  /** Shared copies by a hash of their contents, to find one with the same bytes. */
  private readonly byHash = new Map<number, Uint8Array[]>();
  /** Frames whose contents are a shared copy. */
  private sharedRefs = 0;
  /**
   * The copy a page of the caller's buffer matched last time (a kernel image shared into
   * guest after guest): tried first, its bytes still compared, so no hash is computed.
   */
  private readonly lastMatch = new WeakMap<ArrayBufferLike, Map<number, Uint8Array>>();

  /** Frames holding bytes (written at least once since their last scrub), shared or not. */
  get framesHeld(): number {
    return this.frames.size;
  }

  /** Host bytes spent on contents: each shared copy once. */
  get bytesHeld(): number {
    return (this.frames.size - this.sharedRefs + this.refs.size) * PAGE_SIZE;
  }

  /** Distinct shared copies in use (mem_sharing's nr_shared_mfns). */
  get sharedFrames(): number {
    return this.refs.size;
  }

  /** Frames saved by sharing: frames backed by a shared copy beyond the one it costs (nr_saved_mfns). */
  get savedFrames(): number {
    return this.sharedRefs - this.refs.size;
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

  /** Write bytes at offset within the frame (a shared frame gets its own copy first). */
  write(mfn: number, offset: number, bytes: Uint8Array): void {
    checkSpan(offset, bytes.length);
    if (bytes.length === 0) return;
    let f = this.frames.get(mfn);
    if (!f) {
      if (isZero(bytes)) return; // writing zeros into a zero frame changes nothing
      f = new Uint8Array(PAGE_SIZE);
      this.frames.set(mfn, f);
    } else if (this.refs.has(f)) {
      // mem_sharing_unshare_page: the writer gets a private copy, the others keep the shared one
      const own = f.slice();
      this.release(f);
      this.frames.set(mfn, own);
      f = own;
    }
    f.set(bytes, offset);
  }

  /**
   * Set the whole frame to `page` (PAGE_SIZE bytes), backed by the shared copy of those
   * bytes when there is one (made from `page` when not: `page` is copied, never kept).
   * An all-zero page leaves the frame holding nothing.
   */
  share(mfn: number, bytes: Uint8Array): void {
    if (bytes.length !== PAGE_SIZE) throw new XenError('EINVAL', `a shared page is ${PAGE_SIZE} bytes, not ${bytes.length}`);
    const page = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice(); // hashed and compared by 32-bit words
    const old = this.frames.get(mfn);
    if (isZero(page)) {
      if (old) this.drop(mfn, old);
      return;
    }
    const seen = this.lastMatch.get(page.buffer)?.get(page.byteOffset);
    let copy = seen !== undefined && this.refs.has(seen) && equalPages(seen, page) ? seen : undefined;
    if (!copy) {
      const h = hashPage(page);
      const candidates = this.byHash.get(h);
      copy = candidates?.find((c) => equalPages(c, page));
      if (!copy) {
        copy = page.slice();
        if (candidates) candidates.push(copy);
        else this.byHash.set(h, [copy]);
      }
      const bySource = this.lastMatch.get(page.buffer) ?? new Map<number, Uint8Array>();
      bySource.set(page.byteOffset, copy);
      this.lastMatch.set(page.buffer, bySource);
    }
    if (copy === old) return;
    if (old) this.drop(mfn, old);
    this.refs.set(copy, (this.refs.get(copy) ?? 0) + 1);
    this.sharedRefs++;
    this.frames.set(mfn, copy);
  }

  /** scrub_one_page for `count` frames from mfn: they read as zeros again. */
  scrub(mfn: number, count: number): void {
    if (count > this.frames.size) {
      for (const [m, f] of [...this.frames]) if (m >= mfn && m < mfn + count) this.drop(m, f);
    } else {
      for (let m = mfn; m < mfn + count; m++) {
        const f = this.frames.get(m);
        if (f) this.drop(m, f);
      }
    }
  }

  private drop(mfn: number, f: Uint8Array): void {
    this.frames.delete(mfn);
    if (this.refs.has(f)) this.release(f);
  }

  /** One frame fewer on a shared copy; the copy goes with its last frame. */
  private release(copy: Uint8Array): void {
    this.sharedRefs--;
    const n = (this.refs.get(copy) ?? 1) - 1;
    if (n > 0) {
      this.refs.set(copy, n);
      return;
    }
    this.refs.delete(copy);
    const h = hashPage(copy);
    const rest = (this.byHash.get(h) ?? []).filter((c) => c !== copy);
    if (rest.length > 0) this.byHash.set(h, rest);
    else this.byHash.delete(h);
  }
}

/** FNV-1a over a page's 32-bit words (4-byte aligned pages): finds candidates, equalPages decides. */
function hashPage(page: Uint8Array): number {
  const w = words(page);
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w[i]!, 0x01000193);
  return h >>> 0;
}

function equalPages(a: Uint8Array, b: Uint8Array): boolean {
  const wa = words(a);
  const wb = words(b);
  for (let i = 0; i < wa.length; i++) if (wa[i] !== wb[i]) return false;
  return true;
}

const words = (b: Uint8Array): Uint32Array => new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2);

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
