/**
 * `xl`, XenDeck's copy of Xen's xl (tools/xl/xl.c): the global options, the command
 * looked up by unambiguous prefix in xl's own table, `help`, and xl's answers for what
 * it does not know ("command not implemented") or refuses ("command does not implement
 * -N (dryrun) option"). A command of real xl that XenDeck lacks says so by name (ENOSYS).
 *
 * It runs against a running XenDeck (desktop or `npm run serve`) over its local api socket
 * when one answers (xl/api-host.ts, xl/select-host.ts), else against a lab — an embedded
 * host kept in a folder (xl/lab-store.ts) — so that successive runs see one host; `--lab
 * DIR` or $XENDECK_LAB always picks the lab. bin/xl.mjs runs main() through tsx (`npx xl ...`).
 */
import { ToolstackError } from '../toolstack/toolstack-error';
import { cmdtableLookup } from './xl/cmd-table-lookup';
import { XL_COMMANDS } from './xl/commands';
import type { XlContext, XlHost } from './xl/context';
import { parseGlobalOptions } from './xl/global-options';
import { helpText } from './xl/help';
import { XlExit, type CliIo } from './xl/io';
import type { LabStore } from './xl/lab-store';
import { notImplemented } from './xl/not-implemented';
import type { ApiHost } from './xl/api-host';
import { connectRunning } from './xl/select-host';
import { resolve } from 'node:path';

export type { CliIo } from './xl/io';

/**
 * An xl run inside a host's Domain 0 (its shell, ./dom0-tools.ts): the host is given, the
 * paths are dom0's, and nothing is journalled (the host keeps its own state).
 */
export interface XlInProcess {
  host: XlHost;
  /** dom0's working directory. */
  cwd: string;
  /** A path as dom0 names it (absolute or relative to cwd) → the file on this machine. */
  file(path: string): string;
  signal?: AbortSignal;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  return runXl(argv, io);
}

/** xl's main(), as a process of its own or (`inProcess`) in a host's Domain 0. */
export async function runXl(argv: string[], io: CliIo, inProcess?: XlInProcess): Promise<number> {
  let lab: LabStore | undefined;
  let released = false;
  let api: ApiHost | undefined;
  let where: 'lab' | 'socket' | 'dom0' | undefined;
  try {
    const cwd = inProcess?.cwd ?? process.cwd();
    const { globals, rest } = parseGlobalOptions(argv, io, cwd, { xendeckOptions: inProcess === undefined });
    const [cmd, ...args] = rest;
    if (cmd === undefined) {
      io.stdout.write(helpText());
      return 1;
    }
    const spec = cmdtableLookup(cmd);
    if (!spec) {
      if (cmd === 'help') {
        io.stdout.write(helpText(args[0]));
        return 0;
      }
      io.stderr.write('command not implemented\n');
      return 1;
    }
    if (globals.dryRun && !spec.canDryrun) {
      io.stderr.write('command does not implement -N (dryrun) option\n');
      return 1;
    }
    const entry = XL_COMMANDS[spec.name];
    const writer = entry?.writes(args) ?? false;
    const ctx: XlContext = {
      io,
      globals,
      spec,
      cwd,
      out: (s) => void io.stdout.write(s),
      err: (s) => void io.stderr.write(s),
      file: (path) => (inProcess ? inProcess.file(path) : resolve(cwd, path)),
      ...(inProcess?.signal ? { signal: inProcess.signal } : {}),
      host: async () => {
        if (inProcess) {
          where = 'dom0';
          return inProcess.host;
        }
        if (where === undefined) {
          api = await connectRunning(globals, io.env);
          where = api ? 'socket' : 'lab';
        }
        if (api) return api;
        lab ??= await (await labStore()).open(globals.labDir, { writer: writer && !released });
        return lab.host;
      },
      where: () => where,
      record: async (e) => {
        if (api || inProcess) return -1; // the running host keeps the state
        if (!lab) throw new Error('internal: journal entry before the lab was opened');
        return lab.record(e);
      },
      hostAsOf: async (entries) => {
        if (inProcess) return inProcess.host;
        if (api) return api;
        const past = await (await labStore()).open(globals.labDir, { writer: false, entries });
        await past.close();
        return past.host;
      },
      release: async () => {
        if (api || inProcess) return;
        released = true;
        const l = lab;
        lab = undefined;
        await l?.close();
      },
    };
    if (!entry) notImplemented(ctx, spec.name);
    return await entry.run(ctx, args);
  } catch (e) {
    if (e instanceof XlExit) return e.status;
    if (e instanceof Error && (e.name === 'LabError' || e.name === 'LabBusyError')) {
      io.stderr.write(`xl: ${e.message}\n`);
      return 1;
    }
    if (e instanceof ToolstackError) {
      io.stderr.write(`xl: ${e.message}${e.hint ? `\n  (${e.hint})` : ''}\n`);
      return 1;
    }
    throw e;
  } finally {
    await lab?.close();
    await api?.close();
  }
}

/** The lab and the engine behind it, loaded only when xl runs a lab (not for a running XenDeck). */
async function labStore(): Promise<typeof LabStore> {
  return (await import('./xl/lab-store')).LabStore;
}
