/**
 * xl's global options, before the command: getopt(argc, argv, "+vftTN") in main() of
 * tools/xl/xl.c — options stop at the first non-option (the command), an unknown one is
 * "unknown global option", exit 1. XenDeck adds `--lab DIR` / `--lab=DIR`, the folder of
 * the embedded host to run against (default $XENDECK_LAB, else ./.lab).
 */
import type { XlGlobals } from './context';
import { XlExit, type CliIo } from './io';
import { defaultLabDir } from './lab-store';
import { resolve } from 'node:path';

export interface GlobalParse {
  globals: XlGlobals;
  /** The command and its arguments. */
  rest: string[];
}

export function parseGlobalOptions(argv: readonly string[], io: CliIo, cwd: string): GlobalParse {
  const g: XlGlobals = { verbose: 0, dryRun: false, force: false, progressCr: false, timestamps: false, labDir: defaultLabDir(io.env, cwd) };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (a === '--lab' || a.startsWith('--lab=')) {
      const dir = a === '--lab' ? argv[++i] : a.slice('--lab='.length);
      if (dir === undefined || dir === '') {
        io.stderr.write('xl: --lab needs a directory\n');
        throw new XlExit(1);
      }
      g.labDir = resolve(cwd, dir);
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
