/**
 * The physical-to-machine map of a domain (xen/arch/x86/mm/p2m*.c): guest frame
 * numbers (gfn) to machine frames (mfn), in a three-level shape like EPT's leaves:
 * a 1 GiB entry (order 18), a 2 MiB entry (order 9) or a 4 KiB entry (order 0).
 *
 * Xen uses a superpage whenever the gfn and the mfn are both aligned to it and the
 * whole range is mapped alike (p2m_set_entry with page_order 9 or 18; the seed's
 * "EPT / VT-d superpages"). A change to part of a superpage — unmapping one page or
 * giving it other access rights (mem_access) — shatters it into the next smaller
 * entries (p2m_split_superpage), which is why the counts of each size matter.
 *
 * Each entry carries its access rights (p2m_access_t: n, r, w, x, rx, wx, rw, rwx,
 * rx2rw, n2rwx, r_pw); the default is rwx.
 */
import { XenError } from '../errno';

export const PAGE_ORDER_4K = 0;
export const PAGE_ORDER_2M = 9;
export const PAGE_ORDER_1G = 18;
const ENTRIES = 512;
const INVALID = -1;

export type P2mAccess = 'n' | 'r' | 'w' | 'x' | 'rx' | 'wx' | 'rw' | 'rwx' | 'rx2rw' | 'n2rwx' | 'r_pw';
export const P2M_ACCESS: readonly P2mAccess[] = ['n', 'r', 'w', 'x', 'rx', 'wx', 'rw', 'rwx', 'rx2rw', 'n2rwx', 'r_pw'];
const ACCESS_CODE = new Map(P2M_ACCESS.map((a, i) => [a, i]));
const DEFAULT_ACCESS = ACCESS_CODE.get('rwx')!;

export type PageOrder = typeof PAGE_ORDER_4K | typeof PAGE_ORDER_2M | typeof PAGE_ORDER_1G;

export interface P2mEntry {
  mfn: number;
  order: PageOrder;
  access: P2mAccess;
}

/** A leaf table of 512 4K entries (mfn, access). */
interface L1 {
  mfn: Float64Array;
  access: Uint8Array;
  present: number;
}
/** A 2M-level slot: a 2M leaf, a table of 4K leaves, or nothing. */
type L2Slot = { kind: '2m'; mfn: number; access: number } | { kind: 'l1'; table: L1 };
/** A 1G-level slot: a 1G leaf or a table of 2M-level slots. */
type L3Slot = { kind: '1g'; mfn: number; access: number } | { kind: 'l2'; slots: (L2Slot | undefined)[]; present: number };

export interface P2mCounts {
  /** Entries of each size (what Xen's p2m audit / `xl debug-keys` report). */
  entries4k: number;
  entries2m: number;
  entries1g: number;
  /** gfns mapped in all (tot_pages for a fully populated guest). */
  pages: number;
}

export class P2m {
  private readonly l3 = new Map<number, L3Slot>();
  private counts: P2mCounts = { entries4k: 0, entries2m: 0, entries1g: 0, pages: 0 };
  /** Superpages split since creation (a mem_access policy shows up here). */
  shatters = 0;

  get stats(): Readonly<P2mCounts> {
    return this.counts;
  }

  /** p2m_set_entry: map 2^order frames at gfn to mfn.., both aligned to the order. */
  set(gfn: number, mfn: number, order: PageOrder, access: P2mAccess = 'rwx'): void {
    const size = 2 ** order;
    if (gfn % size !== 0 || mfn % size !== 0) {
      throw new XenError('EINVAL', `gfn ${hex(gfn)} / mfn ${hex(mfn)} not aligned to order ${order}`);
    }
    const code = accessCode(access);
    this.remove(gfn, order);
    const i3 = Math.floor(gfn / 2 ** PAGE_ORDER_1G);
    if (order === PAGE_ORDER_1G) {
      this.l3.set(i3, { kind: '1g', mfn, access: code });
      this.counts.entries1g++;
      this.counts.pages += size;
      return;
    }
    const l2 = this.l2For(i3);
    const i2 = Math.floor(gfn / 2 ** PAGE_ORDER_2M) % ENTRIES;
    if (order === PAGE_ORDER_2M) {
      l2.slots[i2] = { kind: '2m', mfn, access: code };
      l2.present++;
      this.counts.entries2m++;
      this.counts.pages += size;
      return;
    }
    const l1 = this.l1For(l2, i2);
    const i1 = gfn % ENTRIES;
    l1.mfn[i1] = mfn;
    l1.access[i1] = code;
    l1.present++;
    this.counts.entries4k++;
    this.counts.pages++;
  }

  /** Map `count` frames from gfn/mfn with the largest entries alignment allows. */
  setRange(gfn: number, mfn: number, count: number, access: P2mAccess = 'rwx', allowSuperpages = true): void {
    let done = 0;
    while (done < count) {
      const g = gfn + done;
      const m = mfn + done;
      const left = count - done;
      let order: PageOrder = PAGE_ORDER_4K;
      if (allowSuperpages) {
        if (g % 2 ** 18 === 0 && m % 2 ** 18 === 0 && left >= 2 ** 18) order = PAGE_ORDER_1G;
        else if (g % 2 ** 9 === 0 && m % 2 ** 9 === 0 && left >= 2 ** 9) order = PAGE_ORDER_2M;
      }
      this.set(g, m, order, access);
      done += 2 ** order;
    }
  }

  /** p2m lookup (get_gfn): the entry covering gfn, with the mfn of that very frame. */
  get(gfn: number): P2mEntry | undefined {
    const s3 = this.l3.get(Math.floor(gfn / 2 ** PAGE_ORDER_1G));
    if (!s3) return undefined;
    if (s3.kind === '1g') return { mfn: s3.mfn + (gfn % 2 ** 18), order: PAGE_ORDER_1G, access: P2M_ACCESS[s3.access]! };
    const s2 = s3.slots[Math.floor(gfn / 2 ** PAGE_ORDER_2M) % ENTRIES];
    if (!s2) return undefined;
    if (s2.kind === '2m') return { mfn: s2.mfn + (gfn % ENTRIES), order: PAGE_ORDER_2M, access: P2M_ACCESS[s2.access]! };
    const i1 = gfn % ENTRIES;
    const mfn = s2.table.mfn[i1]!;
    return mfn === INVALID ? undefined : { mfn, order: PAGE_ORDER_4K, access: P2M_ACCESS[s2.table.access[i1]!]! };
  }

  /**
   * Every mapped run in ascending gfn order, one call per entry (a superpage is one run):
   * what the toolstack walks to learn which pfns a domain has (a save sends only those).
   */
  forEachEntry(cb: (gfn: number, mfn: number, count: number) => void): void {
    for (const i3 of [...this.l3.keys()].sort((a, b) => a - b)) this.forEachEntryIn(i3, cb);
  }

  /** The first mapped gfn in [gfn, gfn+count), skipping empty 1G / 2M slots whole; undefined if none. */
  firstMapped(gfn: number, count: number): number | undefined {
    const end = gfn + count;
    for (let g = gfn; g < end; ) {
      const s3 = this.l3.get(Math.floor(g / 2 ** 18));
      if (!s3) {
        g = (Math.floor(g / 2 ** 18) + 1) * 2 ** 18;
        continue;
      }
      if (s3.kind === '1g') return g;
      const s2 = s3.slots[Math.floor(g / 2 ** 9) % ENTRIES];
      if (!s2) {
        g = (Math.floor(g / 2 ** 9) + 1) * 2 ** 9;
        continue;
      }
      if (s2.kind === '2m' || s2.table.mfn[g % ENTRIES] !== INVALID) return g;
      g++;
    }
    return undefined;
  }

  /** The highest mapped gfn + 1 (Xen's max_mapped_pfn + 1: the guest's p2m size), 0 when empty. */
  get gfnLimit(): number {
    let top = -1;
    for (const i3 of this.l3.keys()) top = Math.max(top, i3);
    if (top < 0) return 0;
    let end = 0;
    this.forEachEntryIn(top, (g, _m, c) => (end = Math.max(end, g + c)));
    return end;
  }

  private forEachEntryIn(i3: number, cb: (gfn: number, mfn: number, count: number) => void): void {
    const s3 = this.l3.get(i3)!;
    const base3 = i3 * 2 ** PAGE_ORDER_1G;
    if (s3.kind === '1g') return cb(base3, s3.mfn, 2 ** PAGE_ORDER_1G);
    for (let i2 = 0; i2 < ENTRIES; i2++) {
      const s2 = s3.slots[i2];
      if (!s2) continue;
      const base2 = base3 + i2 * ENTRIES;
      if (s2.kind === '2m') cb(base2, s2.mfn, ENTRIES);
      else for (let i1 = 0; i1 < ENTRIES; i1++) if (s2.table.mfn[i1] !== INVALID) cb(base2 + i1, s2.table.mfn[i1]!, 1);
    }
  }

  /** Unmap 2^order frames at gfn (any order; decrease_reservation), shattering what it cuts into. */
  remove(gfn: number, order: number = PAGE_ORDER_4K): number {
    let removed = 0;
    const end = gfn + 2 ** order;
    for (let g = gfn; g < end; ) {
      const i3 = Math.floor(g / 2 ** 18);
      const s3 = this.l3.get(i3);
      if (!s3) {
        g = (i3 + 1) * 2 ** 18;
        continue;
      }
      if (s3.kind === '1g') {
        if (g % 2 ** 18 === 0 && end - g >= 2 ** 18) {
          this.l3.delete(i3);
          this.counts.entries1g--;
          this.counts.pages -= 2 ** 18;
          removed += 2 ** 18;
          g += 2 ** 18;
          continue;
        }
        this.shatter1g(i3);
        continue;
      }
      const i2 = Math.floor(g / 2 ** 9) % ENTRIES;
      const s2 = s3.slots[i2];
      if (!s2) {
        g = (Math.floor(g / 2 ** 9) + 1) * 2 ** 9;
        continue;
      }
      if (s2.kind === '2m') {
        if (g % 2 ** 9 === 0 && end - g >= 2 ** 9) {
          s3.slots[i2] = undefined;
          s3.present--;
          this.counts.entries2m--;
          this.counts.pages -= 2 ** 9;
          removed += 2 ** 9;
          g += 2 ** 9;
          this.dropEmpty(i3, s3);
          continue;
        }
        this.shatter2m(s3, i2);
        continue;
      }
      const i1 = g % ENTRIES;
      if (s2.table.mfn[i1] !== INVALID) {
        s2.table.mfn[i1] = INVALID;
        s2.table.present--;
        this.counts.entries4k--;
        this.counts.pages--;
        removed++;
        if (s2.table.present === 0) {
          s3.slots[i2] = undefined;
          s3.present--;
          this.dropEmpty(i3, s3);
        }
      }
      g++;
    }
    return removed;
  }

  /** p2m_set_mem_access on one frame: shatters any superpage around it. */
  setAccess(gfn: number, access: P2mAccess): void {
    const e = this.get(gfn);
    if (!e) throw new XenError('ESRCH', `gfn ${hex(gfn)} is not mapped`);
    if (e.access === access) return;
    if (e.order !== PAGE_ORDER_4K) {
      const i3 = Math.floor(gfn / 2 ** 18);
      if (e.order === PAGE_ORDER_1G) this.shatter1g(i3);
      const s3 = this.l3.get(i3) as Extract<L3Slot, { kind: 'l2' }>;
      const i2 = Math.floor(gfn / 2 ** 9) % ENTRIES;
      if (s3.slots[i2]?.kind === '2m') this.shatter2m(s3, i2);
    }
    const s3 = this.l3.get(Math.floor(gfn / 2 ** 18)) as Extract<L3Slot, { kind: 'l2' }>;
    const s2 = s3.slots[Math.floor(gfn / 2 ** 9) % ENTRIES] as Extract<L2Slot, { kind: 'l1' }>;
    s2.table.access[gfn % ENTRIES] = accessCode(access);
  }

  private shatter1g(i3: number): void {
    const s3 = this.l3.get(i3) as Extract<L3Slot, { kind: '1g' }>;
    const l2: Extract<L3Slot, { kind: 'l2' }> = { kind: 'l2', slots: new Array(ENTRIES), present: ENTRIES };
    for (let i = 0; i < ENTRIES; i++) l2.slots[i] = { kind: '2m', mfn: s3.mfn + i * ENTRIES, access: s3.access };
    this.l3.set(i3, l2);
    this.counts.entries1g--;
    this.counts.entries2m += ENTRIES;
    this.shatters++;
  }

  private shatter2m(s3: Extract<L3Slot, { kind: 'l2' }>, i2: number): void {
    const s2 = s3.slots[i2] as Extract<L2Slot, { kind: '2m' }>;
    const table: L1 = { mfn: new Float64Array(ENTRIES), access: new Uint8Array(ENTRIES).fill(s2.access), present: ENTRIES };
    for (let i = 0; i < ENTRIES; i++) table.mfn[i] = s2.mfn + i;
    s3.slots[i2] = { kind: 'l1', table };
    this.counts.entries2m--;
    this.counts.entries4k += ENTRIES;
    this.shatters++;
  }

  private l2For(i3: number): Extract<L3Slot, { kind: 'l2' }> {
    let s3 = this.l3.get(i3);
    if (!s3) {
      s3 = { kind: 'l2', slots: new Array(ENTRIES), present: 0 };
      this.l3.set(i3, s3);
    }
    if (s3.kind === '1g') throw new Error('p2m: 1G entry present where a table was expected');
    return s3;
  }

  private l1For(l2: Extract<L3Slot, { kind: 'l2' }>, i2: number): L1 {
    const s2 = l2.slots[i2];
    if (s2?.kind === 'l1') return s2.table;
    const table: L1 = { mfn: new Float64Array(ENTRIES).fill(INVALID), access: new Uint8Array(ENTRIES).fill(DEFAULT_ACCESS), present: 0 };
    l2.slots[i2] = { kind: 'l1', table };
    l2.present++;
    return table;
  }

  private dropEmpty(i3: number, s3: Extract<L3Slot, { kind: 'l2' }>): void {
    if (s3.present === 0) this.l3.delete(i3);
  }
}

function accessCode(a: P2mAccess): number {
  const c = ACCESS_CODE.get(a);
  if (c === undefined) throw new XenError('EINVAL', `unknown p2m access "${a}" (one of ${P2M_ACCESS.join(', ')})`);
  return c;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
