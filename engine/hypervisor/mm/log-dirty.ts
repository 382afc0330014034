/**
 * A domain's log-dirty bitmap (xen/arch/x86/mm/paging.c): while log-dirty mode is on,
 * every guest frame written gets its pfn's bit set; the toolstack collects the bits with
 * XEN_DOMCTL_SHADOW_OP_CLEAN (returns the bitmap and clears it, and resets the counters)
 * or XEN_DOMCTL_SHADOW_OP_PEEK (returns it untouched). Live migration sends the pages
 * dirtied during each iteration this way (tools/libs/guest/xg_sr_save.c send_dirty_pages).
 *
 * Like Xen's trie of bitmap pages (paging_new_log_dirty_leaf), the bitmap is kept in
 * 4 KiB leaves allocated only where a bit was set, so a 1 TiB guest that dirtied a few
 * pages costs a few leaves, not 32 MiB.
 *
 * Errors as paging_log_dirty_enable has them: enabling twice is EINVAL.
 */
import { XenError } from '../errno';
import { PAGE_SIZE } from '../page';

/** pfns covered by one leaf: one page of bits. */
const LEAF_BITS = PAGE_SIZE * 8;

/** xen_domctl_shadow_op_stats. */
export interface LogDirtyStats {
  faultCount: number;
  dirtyCount: number;
}

export class LogDirty {
  private readonly leaves = new Map<number, Uint8Array>();
  private on = false;
  private faultCount = 0;
  private dirtyCount = 0;

  get enabled(): boolean {
    return this.on;
  }

  /** XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY. */
  enable(domid: number): void {
    if (this.on) throw new XenError('EINVAL', `log-dirty mode is already enabled for domain ${domid}`);
    this.on = true;
    this.leaves.clear();
    this.faultCount = 0;
    this.dirtyCount = 0;
  }

  /** XEN_DOMCTL_SHADOW_OP_OFF: log-dirty off, the bitmap freed (paging_free_log_dirty_bitmap). */
  disable(): void {
    this.on = false;
    this.leaves.clear();
  }

  /** paging_mark_pfn_dirty: a write the guest (or a foreign mapping) made to pfn. */
  mark(pfn: number): void {
    if (!this.on) return;
    const li = Math.floor(pfn / LEAF_BITS);
    let leaf = this.leaves.get(li);
    if (!leaf) {
      leaf = new Uint8Array(PAGE_SIZE);
      this.leaves.set(li, leaf);
    }
    const bit = pfn % LEAF_BITS;
    const mask = 1 << (bit & 7);
    if (leaf[bit >>> 3]! & mask) return;
    leaf[bit >>> 3]! |= mask;
    this.dirtyCount++;
    this.faultCount++;
  }

  isDirty(pfn: number): boolean {
    const leaf = this.leaves.get(Math.floor(pfn / LEAF_BITS));
    const bit = pfn % LEAF_BITS;
    return leaf !== undefined && (leaf[bit >>> 3]! & (1 << (bit & 7))) !== 0;
  }

  /**
   * XEN_DOMCTL_SHADOW_OP_PEEK / CLEAN over pfns [0, pages): the bitmap (bit i of byte
   * i/8 for pfn i, little-endian bit order as Xen's bitmaps), or only the stats when
   * `bitmap` is false (a NULL dirty_bitmap handle). CLEAN clears the bits it covered and
   * resets the counters.
   */
  op(kind: 'peek' | 'clean', pages: number, bitmap = true): { bitmap?: Uint8Array; stats: LogDirtyStats } {
    if (!Number.isInteger(pages) || pages < 0) throw new XenError('EINVAL', `bad page count ${pages}`);
    const stats = { faultCount: this.faultCount, dirtyCount: this.dirtyCount };
    const out = bitmap ? new Uint8Array(Math.ceil(pages / 8)) : undefined;
    for (const [li, leaf] of this.leaves) {
      const first = li * LEAF_BITS;
      if (first >= pages) continue;
      const bytes = Math.min(PAGE_SIZE, Math.ceil((pages - first) / 8));
      out?.set(leaf.subarray(0, bytes), first / 8);
      if (kind === 'clean') {
        if (bytes === PAGE_SIZE) this.leaves.delete(li);
        else leaf.fill(0, 0, bytes);
      }
    }
    if (out && pages % 8 !== 0) out[out.length - 1]! &= (1 << (pages % 8)) - 1;
    if (kind === 'clean') {
      this.faultCount = 0;
      this.dirtyCount = 0;
    }
    return { bitmap: out, stats };
  }

  /** The dirty pfns below `pages` in ascending order, without building the whole bitmap. */
  *dirtyPfns(pages = Number.MAX_SAFE_INTEGER): Generator<number> {
    for (const li of [...this.leaves.keys()].sort((a, b) => a - b)) {
      const leaf = this.leaves.get(li)!;
      for (let byte = 0; byte < PAGE_SIZE; byte++) {
        const b = leaf[byte]!;
        if (b === 0) continue;
        for (let bit = 0; bit < 8; bit++) {
          if (!(b & (1 << bit))) continue;
          const pfn = li * LEAF_BITS + byte * 8 + bit;
          if (pfn >= pages) return;
          yield pfn;
        }
      }
    }
  }
}

/** The pfns whose bits are set in a CLEAN / PEEK bitmap. */
export function bitmapPfns(bitmap: Uint8Array): number[] {
  const out: number[] = [];
  for (let byte = 0; byte < bitmap.length; byte++) {
    const b = bitmap[byte]!;
    if (b === 0) continue;
    for (let bit = 0; bit < 8; bit++) if (b & (1 << bit)) out.push(byte * 8 + bit);
  }
  return out;
}
