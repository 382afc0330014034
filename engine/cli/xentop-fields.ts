/**
 * xentop's domain table as tools/xentop/xentop.c (Xen 4.17) builds it, for batch mode and
 * for the curses screen alike: its field table (header, default width, the comparison the
 * `s` key sorts by, the printer), top()'s order of work — sort, adjust_field_widths, then
 * for each domain from first_domain_index the heading (again before each domain with
 * repeat_header), the row, and the -v / -n / -x sections — and print()'s rule that
 * nothing more is printed once the cursor is on the screen's last line.
 *
 * Columns: NAME %10.10s (-f: the whole name, the column as wide as the longest),
 * STATE one letter a flag in the order d s b c p r ('-' when not set), CPU(sec), CPU(%)
 * (0.0 without a previous sample), MEM(k) and MAXMEM(k) with their share of the host's
 * memory ("no limit" / "n/a" for a domain without a maximum), VCPUS, NETS, NETTX(k),
 * NETRX(k), VBDS, blkback's request counters (tot_vbd_reqs: '-' when no vbd's statistics
 * can be read, here when none is Connected) and SSID; the wide counters widen to their
 * largest value (adjust_field_widths: INT_FIELD_WIDTH(n + 1)).
 *
 * XenDeck's backends carry no block or network requests of their own (the guests' I/O
 * is a scheduler workload), so the traffic counters are the zeros such backends report.
 */
import type { DomainInfo } from '../hypervisor/xen';
import type { DomainDevices, VcpuSummary } from '../toolstack/types';
import { A_BOLD, A_REVERSE } from './curses-window';

const PAGE_BYTES = 4096;
/** XenbusStateConnected. */
const CONNECTED = 4;

export interface XentopRow {
  info: DomainInfo;
  devices: DomainDevices;
  cpuPct: number;
  /** With -v: the domain's vCPUs. */
  vcpus?: VcpuSummary[];
}

/** Where xentop's print() goes: stdout in batch mode, stdscr (with attributes) under curses. */
export interface XentopPrinter {
  print(text: string): void;
  attron(a: number): void;
  attroff(a: number): void;
  /** Under curses: the cursor is on the last line (top() stops adding domains). */
  full(): boolean;
}

/** What top() is told to show (xentop.c's globals). */
export interface XentopView {
  fullName: boolean;
  repeatHeader: boolean;
  showVcpus: boolean;
  showNetworks: boolean;
  showVbds: boolean;
  /** fields[] index the table is sorted by and whose column is bold (FIELD_DOMID: 0, NAME). */
  sortField: number;
  firstDomainIndex: number;
  /** The NAME column's width: with -f it only grows (adjust_field_widths never resets it). */
  nameWidth: number;
}

interface Field {
  header: string;
  width: number;
  /** -1, 0, 1 for <, =, > in the order the `s` key sorts by. */
  compare(a: XentopRow, b: XentopRow): number;
  cell(d: XentopRow, width: number): string;
}

const STATE_FLAGS: [keyof DomainInfo['flags'], string][] = [
  ['dying', 'd'],
  ['shutdown', 's'],
  ['blocked', 'b'],
  ['crashed', 'c'],
  ['paused', 'p'],
  ['running', 'r'],
];

const cmp = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);
/** Most first: xentop's -compare() for every counter. */
const desc = (f: (d: XentopRow) => number) => (a: XentopRow, b: XentopRow) => -cmp(f(a), f(b));

export function strcasecmp(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** xenstat_domain_max_mem: (unsigned long long)-1 for a domain without a limit. */
const maxMemBytes = (d: XentopRow): number => (d.info.maxPages >= Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : d.info.maxPages * PAGE_BYTES);
const curMemBytes = (d: XentopRow): number => d.info.totPages * PAGE_BYTES;

/** tot_vbd_reqs: the sum over the vbds whose statistics read, or undefined when none does. */
function vbdTotal(d: XentopRow): number | undefined {
  if (d.devices.disks.length === 0) return 0;
  return d.devices.disks.some((k) => k.state === CONNECTED) ? 0 : undefined;
}

const vbdField = (header: string, width: number): Field => ({
  header,
  width,
  compare: desc((d) => vbdTotal(d) ?? 0),
  cell: (d, w) => String(vbdTotal(d) ?? '-').padStart(w),
});

/** xentop.c's fields[], in its order. */
function fields(totalBytes: number): Field[] {
  const kib = (bytes: number): string => String(Math.floor(bytes / 1024));
  const pct = (bytes: number, w: number): string => ((bytes / totalBytes) * 100).toFixed(1).padStart(w);
  return [
    { header: 'NAME', width: 10, compare: (a, b) => strcasecmp(a.info.name, b.info.name), cell: (d, w) => (w > 10 ? d.info.name.padStart(w) : d.info.name.slice(0, 10).padStart(10)) },
    {
      header: 'STATE',
      width: 6,
      compare: (a, b) => {
        for (const [f] of STATE_FLAGS) if (a.info.flags[f] !== b.info.flags[f]) return a.info.flags[f] ? -1 : 1;
        return 0;
      },
      // print_state prints the six letters with no width of its own
      cell: (d) => STATE_FLAGS.map(([f, ch]) => (d.info.flags[f] ? ch : '-')).join(''),
    },
    { header: 'CPU(sec)', width: 10, compare: desc((d) => d.info.cpuTime), cell: (d, w) => String(Math.floor(d.info.cpuTime / 1e9)).padStart(w) },
    { header: 'CPU(%)', width: 6, compare: desc((d) => d.cpuPct), cell: (d, w) => d.cpuPct.toFixed(1).padStart(w) },
    { header: 'MEM(k)', width: 10, compare: desc(curMemBytes), cell: (d, w) => kib(curMemBytes(d)).padStart(w) },
    { header: 'MEM(%)', width: 6, compare: desc(curMemBytes), cell: (d, w) => pct(curMemBytes(d), w) },
    { header: 'MAXMEM(k)', width: 10, compare: desc(maxMemBytes), cell: (d, w) => (maxMemBytes(d) === Number.POSITIVE_INFINITY ? 'no limit' : kib(maxMemBytes(d))).padStart(w) },
    { header: 'MAXMEM(%)', width: 9, compare: desc(maxMemBytes), cell: (d, w) => (maxMemBytes(d) === Number.POSITIVE_INFINITY ? 'n/a'.padStart(w) : pct(maxMemBytes(d), w)) },
    { header: 'VCPUS', width: 5, compare: desc((d) => d.info.nrOnlineVcpus), cell: (d, w) => String(d.info.nrOnlineVcpus).padStart(w) },
    { header: 'NETS', width: 4, compare: desc((d) => d.devices.nics.length), cell: (d, w) => String(d.devices.nics.length).padStart(w) },
    { header: 'NETTX(k)', width: 8, compare: () => 0, cell: (_d, w) => '0'.padStart(w) },
    { header: 'NETRX(k)', width: 8, compare: () => 0, cell: (_d, w) => '0'.padStart(w) },
    { header: 'VBDS', width: 4, compare: desc((d) => d.devices.disks.length), cell: (d, w) => String(d.devices.disks.length).padStart(w) },
    vbdField('VBD_OO', 8),
    vbdField('VBD_RD', 8),
    vbdField('VBD_WR', 8),
    vbdField('VBD_RSECT', 10),
    vbdField('VBD_WSECT', 10),
    // no XSM/FLASK policy: every domain's ssid is 0 (compare_ssid is the one ascending order)
    { header: 'SSID', width: 4, compare: () => 0, cell: (_d, w) => '0'.padStart(w) },
  ];
}

/** NUM_FIELDS: the `s` key cycles sort_field through them. */
export const NUM_FIELDS = 19;

/**
 * top()'s table: sorted by the view's field (qsort with glibc's merge sort keeps equal
 * domains in getdomaininfolist's order, as this stable sort does), then a heading and a
 * row a domain from firstDomainIndex on, with the sections asked for.
 */
export function printDomainTable(p: XentopPrinter, rows: readonly XentopRow[], totalPages: number, v: XentopView): void {
  const fs = fields(totalPages * PAGE_BYTES);
  const sorted = [...rows].sort((a, b) => fs[v.sortField]!.compare(a, b));
  const first = Math.max(0, Math.min(v.firstDomainIndex, sorted.length - 1));
  const shown = sorted.slice(first);
  if (v.fullName) v.nameWidth = Math.max(v.nameWidth, ...shown.map((r) => r.info.name.length));
  const widths = fs.map((f, i) => (i === 0 && v.fullName ? v.nameWidth : f.width));
  const header = (): void => {
    p.attron(A_REVERSE);
    fs.forEach((f, i) => {
      if (i !== 0) p.print(' ');
      if (i === v.sortField) p.attron(A_BOLD);
      p.print(f.header.padStart(widths[i]!));
      if (i === v.sortField) p.attroff(A_BOLD);
    });
    p.attroff(A_REVERSE);
    p.print('\n');
  };
  shown.forEach((r, i) => {
    if (p.full()) return;
    if (i === 0 || v.repeatHeader) header();
    fs.forEach((f, k) => {
      if (k !== 0) p.print(' ');
      if (k === v.sortField) p.attron(A_BOLD);
      p.print(f.cell(r, widths[k]!));
      if (k === v.sortField) p.attroff(A_BOLD);
    });
    p.print('\n');
    if (v.showVcpus) vcpuLines(p, r);
    if (v.showNetworks) networkLines(p, r);
    if (v.showVbds) vbdLines(p, r);
  });
}

/** do_vcpu: "VCPUs(sec): " then " %2u: %10llus" a vCPU online, a new line before every fifth. */
function vcpuLines(p: XentopPrinter, r: XentopRow): void {
  p.print('VCPUs(sec): ');
  for (const v of r.vcpus ?? []) {
    if (!v.online) continue;
    if (v.vcpu !== 0 && v.vcpu % 5 === 0) p.print('\n        ');
    p.print(` ${String(v.vcpu).padStart(2)}: ${String(Math.floor(v.cpuTimeS)).padStart(10)}s`);
  }
  p.print('\n');
}

/** do_network: a line a vif, its RX then TX bytes, packets, errors and drops. */
function networkLines(p: XentopPrinter, r: XentopRow): void {
  const four = (unit: string): string => `${'0'.padStart(8)}bytes ${'0'.padStart(8)}pkts ${'0'.padStart(8)}err ${'0'.padStart(8)}drop${unit}`;
  r.devices.nics.forEach((_, i) => {
    p.print(`Net${i} RX: ${four('  ')}`);
    p.print(`TX: ${four('')}\n`);
  });
}

/** do_vbd: "VBD BlkBack DEV [MA:MI] " and the request counters ('-' when unreadable). */
function vbdLines(p: XentopPrinter, r: XentopRow): void {
  for (const d of r.devices.disks) {
    const hex = (n: number): string => n.toString(16).padStart(2);
    const head = `VBD BlkBack ${String(d.devid).padStart(4)} [${hex(d.devid >> 8)}:${hex(d.devid & 0xff)}] `;
    // no statistics to read for a vbd that is not connected (its backend never came)
    const bad = d.state !== CONNECTED;
    const v = (w: number): string => (bad ? '-' : '0').padStart(w);
    p.print(`${head} OO: ${v(8)}   RD: ${v(8)}   WR: ${v(8)}   RSECT: ${v(10)}   WSECT: ${v(10)}\n`);
  }
}

/** A printer into a string: batch mode's stdout (attributes are curses-only: xentop_attron). */
export function batchPrinter(): XentopPrinter & { text(): string } {
  let out = '';
  return { print: (t) => (out += t), attron: () => undefined, attroff: () => undefined, full: () => false, text: () => out };
}
