/**
 * `xentop`, as Xen 4.17's tools/xentop/xentop.c runs: its options (getopt_long
 * "hVnxrvd:bi:f"), -V's and -h's texts, and its two modes.
 *
 * Batch mode (-b): for each iteration the table (./xentop-fields.ts: a heading, a line a
 * domain of libxenstat's xc_domain_getinfolist — every domain, Domain-0 included —
 * sorted by name: the default sort_field, FIELD_DOMID, indexes fields[0], NAME), then
 * sleep(delay); no summary (do_summary only runs under curses). SIGINT and SIGTERM end
 * the loop after the sleep, with status 0. -i N stops after N iterations; `-i 0` is an
 * unsigned count that never reaches 0 again, so it runs until ^C, as xentop's does.
 *
 * Without -b: the curses screen (./xentop-screen.ts) on the tty it runs on.
 *
 * CPU(%): ./xentop-sample.ts.
 */
import type { Dom0Tty } from '../guest/dom0-tools';
import { batchPrinter, printDomainTable } from './xentop-fields';
import { initialView, XentopSampler, type XentopHost, type XentopOptions } from './xentop-sample';
import { runXentopScreen } from './xentop-screen';

export type { XentopHost } from './xentop-sample';

export interface XentopIo {
  out(text: string): void;
  err(text: string): void;
  signal?: AbortSignal;
  /** Waits `ms` (the delay between iterations); rejects or resolves early when aborted. */
  sleep?(ms: number): Promise<void>;
  /** The tty xentop runs on (Domain-0's console): the curses screen needs one. */
  tty?: Dom0Tty;
}

const XENTOP_VERSION = '1.0';
const XENTOP_DISCLAIMER =
  'Copyright (C) 2005  International Business Machines  Corp\n' +
  'This is free software; see the source for copying conditions.There is NO\n' +
  'warranty; not even for MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.\n';
const XENTOP_BUGSTO = 'Report bugs to <xen-devel@lists.xen.org>.\n';

/** version(): what `xentop -V` prints before exit(0). */
const VERSION = `xentop ${XENTOP_VERSION}\nWritten by Judy Fischbach, David Hendricks, Josh Triplett\n\n${XENTOP_DISCLAIMER}`;

/** usage(argv[0]): the shell runs it as `xentop`. */
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

${XENTOP_BUGSTO}`;

const LONG: Record<string, string> = { help: 'h', version: 'V', networks: 'n', vbds: 'x', 'repeat-header': 'r', vcpus: 'v', delay: 'd', batch: 'b', iterations: 'i', 'full-name': 'f' };

/** atoi() stored in an unsigned int. */
function atou(s: string | undefined): number {
  const n = Number.parseInt(/^\s*[-+]?\d+/.exec(s ?? '')?.[0] ?? '0', 10);
  return n < 0 ? (n % 2 ** 32) + 2 ** 32 : n % 2 ** 32;
}

/** getopt_long(argc, argv, "hVnxrvd:bi:f", ...). */
function parse(args: readonly string[]): XentopOptions | { exit: number; text: string } {
  const o: XentopOptions = { batch: false, delayS: 3, iterations: undefined, fullName: false, repeatHeader: false, showVcpus: false, showNetworks: false, showVbds: false };
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
        if (c === 'd') o.delayS = atou(rest);
        else o.iterations = atou(rest);
        break;
      }
      if (c === 'h') return { exit: 0, text: USAGE };
      if (c === 'V') return { exit: 0, text: VERSION };
      if (c === 'b') o.batch = true;
      else if (c === 'f') o.fullName = true;
      else if (c === 'r') o.repeatHeader = true;
      else if (c === 'n') o.showNetworks = true;
      else if (c === 'x') o.showVbds = true;
      else if (c === 'v') o.showVcpus = true;
      // '?' is usage and exit(0) in xentop.c's switch
      else return { exit: 0, text: `xentop: invalid option -- '${c}'\n${USAGE}` };
    }
  }
  return o;
}

/** xentop's main(): its exit status. */
export async function runXentop(args: readonly string[], host: XentopHost, io: XentopIo): Promise<number> {
  const o = parse(args);
  if ('exit' in o) {
    io.out(o.text);
    return o.exit;
  }
  if (!o.batch) {
    if (!io.tty) {
      io.err('xentop: the curses screen needs a terminal: run it in Domain-0\'s console, or use batch mode: xentop -b [-i N] [-d SECONDS]\n');
      return 1;
    }
    return runXentopScreen(o, host, { out: io.out, err: io.err, tty: io.tty, ...(io.signal ? { signal: io.signal } : {}) });
  }
  io.tty?.catchSigint();
  const sampler = new XentopSampler(host);
  const view = initialView(o);
  let left = o.iterations;
  for (;;) {
    const { rows, phys } = await sampler.sample(o.showVcpus);
    if (io.signal?.aborted) return 0;
    const p = batchPrinter();
    printDomainTable(p, rows, phys.totalPages, view);
    io.out(p.text());
    if (left !== undefined && left > 0 && --left === 0) return 0;
    if (io.tty) await io.tty.sleep(o.delayS * 1e9);
    else await (io.sleep ?? defaultSleep(io.signal))(o.delayS * 1000);
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
