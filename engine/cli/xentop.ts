/**
 * `xentop`, as Xen 4.17's tools/xentop/xentop.c prints it in batch mode (-b): for each
 * iteration the table header, then one line a domain (libxenstat's xc_domain_getinfolist:
 * every domain, Domain-0 included), sorted by name (xentop's default sort_field is
 * FIELD_DOMID, which indexes fields[0], NAME, with strcasecmp). Columns as its field
 * table: NAME %10.10s (-f: the whole name), STATE one letter a flag in the order
 * d s b c p r ('-' when not set), CPU(sec), CPU(%) (0.0 without a previous sample: the
 * first iteration), MEM(k) and MAXMEM(k) with their share of the host's memory
 * ("no limit" / "n/a" for a domain without a maximum), VCPUS, NETS, NETTX(k), NETRX(k),
 * VBDS, the blkback request counters and SSID; the wide counters widen to their largest
 * value (adjust_field_widths). CPU(%) is the CPU time used between two samples over the
 * time between them, on the host's clock. Batch mode prints no summary (do_summary only
 * runs with curses).
 *
 * -v adds each domain's online vCPUs' CPU seconds (do_vcpu: five a line), -n a line a
 * vif (do_network), -x a line a vbd (do_vbd: blkback's device number with its major and
 * minor; '-' for a vbd whose statistics cannot be read: here, one not Connected).
 *
 * XenDeck's backends carry no block or network requests of their own (the guests' I/O
 * is a scheduler workload), so the traffic counters are the zeros such backends report.
 * The curses screen (no -b) is not implemented and says so.
 */
import type { Physinfo, DomainInfo } from '../hypervisor/xen';
import type { DomainDevices, VcpuSummary } from '../toolstack/types';

/** What xentop reads of the host (libxenstat over libxc and dom0's sysfs). */
export interface XentopHost {
  /** XEN_SYSCTL_getdomaininfolist, and the host's clock (ns) when it was read. */
  domainInfoList(): Promise<{ nowNs: number; domains: DomainInfo[] }>;
  physinfo(): Promise<Physinfo>;
  domainDevices(domid: number): Promise<DomainDevices>;
  vcpuList(domid: number): Promise<VcpuSummary[]>;
}

export interface XentopIo {
  out(text: string): void;
  err(text: string): void;
  signal?: AbortSignal;
  /** Waits `ms` (the delay between iterations); rejects or resolves early when aborted. */
  sleep?(ms: number): Promise<void>;
}

const PAGE_BYTES = 4096;
/** XenbusStateConnected. */
const CONNECTED = 4;

const USAGE = `Usage: xentop [OPTION]
Displays ongoing information about xen vm resources 

-h, --help           display this help and exit
-V, --version        output version information and exit
-d, --delay=SECONDS  seconds between updates (default 3)
-n, --networks       output vif network data
-x, --vbds           output vbd block device data
-r, --repeat-header  repeat table header before each domain
-v, --vcpus          output vcpu data
-b, --batch	     output in batch mode, no user input accepted
-i, --iterations     number of iterations before exiting
-f, --full-name      output the full domain name (not truncated)

`;

interface Options {
  batch: boolean;
  delayS: number;
  iterations: number | undefined;
  fullName: boolean;
  repeatHeader: boolean;
  sections: string[];
}

const LONG: Record<string, string> = { help: 'h', version: 'V', networks: 'n', vbds: 'x', 'repeat-header': 'r', vcpus: 'v', delay: 'd', batch: 'b', iterations: 'i', 'full-name': 'f' };

/** getopt_long(argc, argv, "hVnxrvd:bi:f", ...); a number is atoi()'s. */
function parse(args: readonly string[]): Options | { exit: number; text: string } {
  const o: Options = { batch: false, delayS: 3, iterations: undefined, fullName: false, repeatHeader: false, sections: [] };
  const atoi = (s: string | undefined): number => Number.parseInt(/^\s*[-+]?\d+/.exec(s ?? '')?.[0] ?? '0', 10);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    let letters: string;
    let attached: string | undefined;
    if (a.startsWith('--')) {
      const [name, value] = a.slice(2).split('=', 2) as [string, string | undefined];
      const hits = Object.keys(LONG).filter((k) => k.startsWith(name));
      const hit = hits.includes(name) ? name : hits.length === 1 ? hits[0] : undefined;
      if (hit === undefined) return { exit: 0, text: `xentop: unrecognized option '${a}'\n${USAGE}` };
      letters = LONG[hit]!;
      attached = value;
    } else if (a.startsWith('-') && a.length > 1) letters = a.slice(1);
    else continue; // getopt permutes operands away; xentop takes none
    for (let k = 0; k < letters.length; k++) {
      const c = letters[k]!;
      if (c === 'd' || c === 'i') {
        const rest = attached ?? (k + 1 < letters.length ? letters.slice(k + 1) : args[++i]);
        if (rest === undefined) return { exit: 0, text: `xentop: option requires an argument -- '${c}'\n${USAGE}` };
        if (c === 'd') o.delayS = atoi(rest);
        else o.iterations = atoi(rest);
        break;
      }
      if (c === 'h') return { exit: 0, text: USAGE };
      if (c === 'b') o.batch = true;
      else if (c === 'f') o.fullName = true;
      else if (c === 'r') o.repeatHeader = true;
      else if (c === 'n' || c === 'x' || c === 'v') o.sections.push(c);
      else if (c === 'V') return { exit: 1, text: 'xentop: -V is not implemented in XenDeck\n' };
      // '?' is usage and exit(0) in xentop.c's switch
      else return { exit: 0, text: `xentop: invalid option -- '${c}'\n${USAGE}` };
    }
  }
  return o;
}

interface Column {
  header: string;
  width: number;
  cell(d: Row): string;
}

interface Row {
  info: DomainInfo;
  devices: DomainDevices;
  cpuPct: number;
  /** With -v: the domain's vCPUs. */
  vcpus?: VcpuSummary[];
}

const STATE_FLAGS: [keyof DomainInfo['flags'], string][] = [
  ['dying', 'd'],
  ['shutdown', 's'],
  ['blocked', 'b'],
  ['crashed', 'c'],
  ['paused', 'p'],
  ['running', 'r'],
];

function columns(totalBytes: number, fullName: boolean, nameWidth: number): Column[] {
  const kib = (pages: number): string => String(Math.floor((pages * PAGE_BYTES) / 1024));
  const pct = (pages: number): number => ((pages * PAGE_BYTES) / totalBytes) * 100;
  const noLimit = (d: Row): boolean => d.info.maxPages >= Number.MAX_SAFE_INTEGER;
  // tot_vbd_reqs: '-' only when every vbd's statistics fail to read (none connected); the counters are 0 (see above)
  const vbdStat = (d: Row): string => (d.devices.disks.length > 0 && d.devices.disks.every((k) => k.state !== CONNECTED) ? '-' : '0');
  return [
    { header: 'NAME', width: fullName ? nameWidth : 10, cell: (d) => (fullName ? d.info.name : d.info.name.slice(0, 10)) },
    { header: 'STATE', width: 6, cell: (d) => STATE_FLAGS.map(([f, ch]) => (d.info.flags[f] ? ch : '-')).join('') },
    { header: 'CPU(sec)', width: 10, cell: (d) => String(Math.floor(d.info.cpuTime / 1e9)) },
    { header: 'CPU(%)', width: 6, cell: (d) => d.cpuPct.toFixed(1) },
    { header: 'MEM(k)', width: 10, cell: (d) => kib(d.info.totPages) },
    { header: 'MEM(%)', width: 6, cell: (d) => pct(d.info.totPages).toFixed(1) },
    { header: 'MAXMEM(k)', width: 10, cell: (d) => (noLimit(d) ? 'no limit' : kib(d.info.maxPages)) },
    { header: 'MAXMEM(%)', width: 9, cell: (d) => (noLimit(d) ? 'n/a' : pct(d.info.maxPages).toFixed(1)) },
    { header: 'VCPUS', width: 5, cell: (d) => String(d.info.nrOnlineVcpus) },
    { header: 'NETS', width: 4, cell: (d) => String(d.devices.nics.length) },
    { header: 'NETTX(k)', width: 8, cell: () => '0' },
    { header: 'NETRX(k)', width: 8, cell: () => '0' },
    { header: 'VBDS', width: 4, cell: (d) => String(d.devices.disks.length) },
    { header: 'VBD_OO', width: 8, cell: vbdStat },
    { header: 'VBD_RD', width: 8, cell: vbdStat },
    { header: 'VBD_WR', width: 8, cell: vbdStat },
    { header: 'VBD_RSECT', width: 10, cell: vbdStat },
    { header: 'VBD_WSECT', width: 10, cell: vbdStat },
    // no XSM/FLASK policy: every domain's ssid is 0
    { header: 'SSID', width: 4, cell: () => '0' },
  ];
}

/** One batch iteration: the header and a line a domain (xentop.c top() with batch set). */
export function xentopFrame(rows: readonly Row[], totalPages: number, opts: { fullName: boolean; repeatHeader: boolean; sections?: readonly string[] }): string {
  const nameWidth = Math.max(10, ...rows.map((r) => r.info.name.length));
  const cols = columns(totalPages * PAGE_BYTES, opts.fullName, nameWidth);
  const header = `${cols.map((c) => c.header.padStart(c.width)).join(' ')}\n`;
  const sorted = [...rows].sort((a, b) => strcasecmp(a.info.name, b.info.name));
  let out = '';
  sorted.forEach((r, i) => {
    if (i === 0 || opts.repeatHeader) out += header;
    out += `${cols.map((c) => c.cell(r).padStart(c.width)).join(' ')}\n`;
    if (opts.sections?.includes('v')) out += vcpuLines(r);
    if (opts.sections?.includes('n')) out += networkLines(r);
    if (opts.sections?.includes('x')) out += vbdLines(r);
  });
  return out;
}

/** do_vcpu: "VCPUs(sec): " then " %2u: %10llus" a vCPU online, a new line before every fifth. */
function vcpuLines(r: Row): string {
  let s = 'VCPUs(sec): ';
  for (const v of r.vcpus ?? []) {
    if (!v.online) continue;
    if (v.vcpu !== 0 && v.vcpu % 5 === 0) s += '\n        ';
    s += ` ${String(v.vcpu).padStart(2)}: ${String(Math.floor(v.cpuTimeS)).padStart(10)}s`;
  }
  return `${s}\n`;
}

/** do_network: a line a vif, its RX then TX bytes, packets, errors and drops. */
function networkLines(r: Row): string {
  const four = (unit: string): string => `${'0'.padStart(8)}bytes ${'0'.padStart(8)}pkts ${'0'.padStart(8)}err ${'0'.padStart(8)}drop${unit}`;
  return r.devices.nics.map((_, i) => `Net${i} RX: ${four('  ')}TX: ${four('')}\n`).join('');
}

/** do_vbd: "VBD BlkBack DEV [MA:MI] " and the request counters ('-' when unreadable). */
function vbdLines(r: Row): string {
  return r.devices.disks
    .map((d) => {
      const hex = (n: number): string => n.toString(16).padStart(2);
      const head = `VBD BlkBack ${String(d.devid).padStart(4)} [${hex(d.devid >> 8)}:${hex(d.devid & 0xff)}] `;
      // no statistics to read for a vbd that is not connected (its backend never came)
      const bad = d.state !== CONNECTED;
      const v = (w: number): string => (bad ? '-' : '0').padStart(w);
      return `${head} OO: ${v(8)}   RD: ${v(8)}   WR: ${v(8)}   RSECT: ${v(10)}   WSECT: ${v(10)}\n`;
    })
    .join('');
}

function strcasecmp(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** xentop's main(): its exit status. */
export async function runXentop(args: readonly string[], host: XentopHost, io: XentopIo): Promise<number> {
  const o = parse(args);
  if ('exit' in o) {
    io.out(o.text);
    return o.exit;
  }
  if (!o.batch) {
    io.err("xentop: the curses screen is not implemented in XenDeck's Domain-0 shell; use batch mode: xentop -b [-i N] [-d SECONDS]\n");
    return 1;
  }
  let prev: { nowNs: number; cpu: Map<number, number> } | undefined;
  let left = o.iterations;
  for (;;) {
    const [list, phys] = await Promise.all([host.domainInfoList(), host.physinfo()]);
    const rows: Row[] = await Promise.all(
      list.domains.map(async (info) => {
        const devices = await host.domainDevices(info.domid).catch((): DomainDevices => ({ disks: [], nics: [] }));
        const vcpus = o.sections.includes('v') ? await host.vcpuList(info.domid).catch(() => []) : undefined;
        const before = prev?.cpu.get(info.domid);
        const elapsedUs = prev ? (list.nowNs - prev.nowNs) / 1000 : 0;
        // get_cpu_pct: ns / 10 over µs elapsed; no previous sample (or no time passed), 0
        const cpuPct = before === undefined || elapsedUs <= 0 ? 0 : (info.cpuTime - before) / 10 / elapsedUs;
        return { info, devices, cpuPct, ...(vcpus ? { vcpus } : {}) };
      }),
    );
    if (io.signal?.aborted) return 0;
    io.out(xentopFrame(rows, phys.totalPages, o));
    prev = { nowNs: list.nowNs, cpu: new Map(list.domains.map((d) => [d.domid, d.cpuTime])) };
    // `-i 0` is an unsigned count that never reaches 0 again: it runs until ^C, as xentop's does
    if (left !== undefined && left > 0 && --left === 0) return 0;
    await (io.sleep ?? defaultSleep(io.signal))(o.delayS * 1000);
    // the SIGINT handler ends the loop after the sleep, with status 0
    if (io.signal?.aborted) return 0;
  }
}

function defaultSleep(signal: AbortSignal | undefined): (ms: number) => Promise<void> {
  return (ms) =>
    new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done);
    });
}
