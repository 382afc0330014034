/**
 * xl's global options, before the command: getopt(argc, argv, "+vftTN") in main() of
 * tools/xl/xl.c — options stop at the first non-option (the command), an unknown one is
 * "unknown global option", exit 1. XenDeck adds `--lab DIR` / `--lab=DIR`, the folder of
 * the embedded host to run against (default $XENDECK_LAB, else ./.lab), and for a running
 * XenDeck `--socket PATH` (its api socket) and `--host ID` (which of its hosts, default lab1).
 */
import type { XlGlobals } from './context';
import { XlExit, type CliIo } from './io';
import { defaultLabDir } from './lab-dir';
import { resolve } from 'node:path';

export interface GlobalParse {
  globals: XlGlobals;
  /** The command and its arguments. */
  rest: string[];
}

/**
 * `xendeckOptions: false` (xl inside Domain 0, where the host is the one it runs on):
 * only xl's own options; --lab, --socket and --host are unknown there, as they are to xl.
 */
export function parseGlobalOptions(argv: readonly string[], io: CliIo, cwd: string, opts: { xendeckOptions?: boolean } = {}): GlobalParse {
  const xendeck = opts.xendeckOptions ?? true;
  const envLab = io.env['XENDECK_LAB'];
  const g: XlGlobals = {
    verbose: 0,
    dryRun: false,
    force: false,
    progressCr: false,
    timestamps: false,
    labDir: defaultLabDir(io.env, cwd),
    labChosen: envLab !== undefined && envLab !== '',
    socketPath: undefined,
    hostId: undefined,
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (xendeck && (a === '--lab' || a.startsWith('--lab='))) {
      const dir = a === '--lab' ? argv[++i] : a.slice('--lab='.length);
      if (dir === undefined || dir === '') {
        io.stderr.write('xl: --lab needs a directory\n');
        throw new XlExit(1);
      }
      g.labDir = resolve(cwd, dir);
      g.labChosen = true;
      continue;
    }
    const named = xendeck ? (valued(argv, i, a, '--socket') ?? valued(argv, i, a, '--host')) : undefined;
    if (named) {
      if (named.value === undefined || named.value === '') {
        io.stderr.write(`xl: ${named.option} needs ${named.option === '--socket' ? 'a path' : 'a host id'}\n`);
        throw new XlExit(1);
      }
      if (named.option === '--socket') g.socketPath = resolve(cwd, named.value);
      else g.hostId = named.value;
      i = named.next;
      continue;
    }
    if (!a.startsWith('-') || a === '-') break;
    for (const c of a.slice(1)) {
      if (c === 'v') g.verbose++;
      else if (c === 'N') g.dryRun = true;
      else if (c === 'f') g.force = true;
      else if (c === 't') g.progressCr = true;
      else if (c === 'T') g.timestamps = true;
      else {
        io.stderr.write('unknown global option\n');
        throw new XlExit(1);
      }
    }
  }
  return { globals: g, rest: argv.slice(i) };
}

/** `--opt VALUE` or `--opt=VALUE` at argv[i]: the value and the index of its last word. */
function valued(argv: readonly string[], i: number, a: string, option: string): { option: string; value: string | undefined; next: number } | undefined {
  if (a === option) return { option, value: argv[i + 1], next: i + 1 };
  if (a.startsWith(`${option}=`)) return { option, value: a.slice(option.length + 1), next: i };
  return undefined;
}
