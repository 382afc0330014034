/**
 * A foreign mapping of a domain's memory, as the toolstack gets with
 * xenforeignmemory_map (tools/libs/foreignmemory; privcmd's IOCTL_PRIVCMD_MMAPBATCH_V2
 * resolves each gfn through the domain's p2m to its machine frame). The save code, the
 * domain builder and VMI read and write guest frames by gfn through it.
 *
 * A gfn the p2m does not map cannot be mapped: privcmd reports the error per page, and
 * the whole access fails here with EFAULT naming the gfn (nothing is written). Writes
 * mark the pfn in the domain's log-dirty bitmap, as a foreign write does in Xen
 * (paging_mark_dirty from the grant/foreign-map paths), so a live migration resends it.
 */
import { XenError } from '../errno';
import { PAGE_SHIFT, PAGE_SIZE } from '../page';
import type { FrameStore } from './frame-store';
import type { LogDirty } from './log-dirty';
import type { P2m } from './p2m';

export class ForeignMemory {
  constructor(
    readonly domid: number,
    private readonly p2m: P2m,
    private readonly frames: FrameStore,
    private readonly logDirty: LogDirty,
  ) {}

  /** Whether gfn is populated (has a p2m entry). */
  mapped(gfn: number): boolean {
    return this.p2m.get(gfn) !== undefined;
  }

  /** Every populated run of gfns, ascending, adjacent p2m entries merged (what a save walks). */
  forEachPopulated(cb: (gfn: number, count: number) => void): void {
    let start = -1;
    let end = -1;
    this.p2m.forEachEntry((g, _m, n) => {
      if (g === end) {
        end += n;
        return;
      }
      if (start >= 0) cb(start, end - start);
      start = g;
      end = g + n;
    });
    if (start >= 0) cb(start, end - start);
  }

  /**
   * Every populated run with the machine frames behind it (gfn, first mfn, count; a run
   * is contiguous in both): what a PV guest's own p2m list tells a reader such as
   * xc_domain_dumpcore's .xen_p2m table (tools/libs/guest/xg_core_x86.c).
   */
  forEachFrame(cb: (gfn: number, mfn: number, count: number) => void): void {
    this.p2m.forEachEntry(cb);
  }

  /** XENMEM_maximum_gpfn + 1: the size of the guest's pfn space. */
  get gfnLimit(): number {
    return this.p2m.gfnLimit;
  }

  /** One lookup for a save: the frame's bytes (do not modify), 'zero' for a frame never written, 'unmapped'. */
  probe(gfn: number): Uint8Array | 'zero' | 'unmapped' {
    const e = this.p2m.get(gfn);
    if (!e) return 'unmapped';
    return this.frames.peek(e.mfn) ?? 'zero';
  }

  /** The frame behind gfn, or undefined if it reads as zeros; throws EFAULT if unmapped. Do not modify. */
  peekPage(gfn: number): Uint8Array | undefined {
    return this.frames.peek(this.mfn(gfn));
  }

  /** A copy of `length` bytes at offset within gfn's page. */
  read(gfn: number, offset = 0, length = PAGE_SIZE - offset): Uint8Array {
    return this.frames.read(this.mfn(gfn), offset, length);
  }

  /** Write bytes at offset within gfn's page. */
  write(gfn: number, offset: number, bytes: Uint8Array): void {
    const mfn = this.mfn(gfn);
    this.frames.write(mfn, offset, bytes);
    this.logDirty.mark(gfn);
  }

  /** Read guest-physical bytes [gpa, gpa+length), across pages; every page must be mapped. */
  readPhys(gpa: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.spans(gpa, length, (gfn, off, at, n) => out.set(this.frames.read(this.mfn(gfn), off, n), at));
    return out;
  }

  /** Write guest-physical bytes at gpa, across pages; checks every page first, so a failure writes nothing. */
  writePhys(gpa: number, bytes: Uint8Array): void {
    this.spans(gpa, bytes.length, (gfn) => void this.mfn(gfn));
    this.spans(gpa, bytes.length, (gfn, off, at, n) => this.write(gfn, off, bytes.subarray(at, at + n)));
  }

  /**
   * Write whole pages at a page-aligned gpa, each backed by the frame store's shared copy
   * of the same bytes (frame-store.ts `share`: copy-on-write, so a later write by anyone
   * gives that frame its own copy). Reads see exactly what writePhys would have left;
   * every page must be mapped, a failure writes nothing. For contents many domains load
   * alike, such as a kernel image.
   */
  sharePhys(gpa: number, bytes: Uint8Array): void {
    if (gpa % PAGE_SIZE !== 0 || bytes.length % PAGE_SIZE !== 0) {
      throw new XenError('EINVAL', `shared contents must be whole pages: 0x${gpa.toString(16)}+${bytes.length}`);
    }
    this.spans(gpa, bytes.length, (gfn) => void this.mfn(gfn));
    this.spans(gpa, bytes.length, (gfn, _off, at) => {
      this.frames.share(this.mfn(gfn), bytes.subarray(at, at + PAGE_SIZE));
      this.logDirty.mark(gfn);
    });
  }

  private spans(gpa: number, length: number, cb: (gfn: number, offset: number, at: number, n: number) => void): void {
    if (!Number.isSafeInteger(gpa) || gpa < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new XenError('EINVAL', `bad guest-physical range 0x${gpa.toString(16)}+${length}`);
    }
    let at = 0;
    while (at < length) {
      const addr = gpa + at;
      const gfn = Math.floor(addr / PAGE_SIZE);
      const off = addr - gfn * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - off, length - at);
      cb(gfn, off, at, n);
      at += n;
    }
  }

  private mfn(gfn: number): number {
    if (!Number.isSafeInteger(gfn) || gfn < 0) throw new XenError('EINVAL', `bad gfn ${gfn}`);
    const e = this.p2m.get(gfn);
    if (!e) throw new XenError('EFAULT', `gfn 0x${gfn.toString(16)} (gpa 0x${(gfn * 2 ** PAGE_SHIFT).toString(16)}) is not populated in domain ${this.domid}`);
    return e.mfn;
  }
}
