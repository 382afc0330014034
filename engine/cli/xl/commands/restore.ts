/**
 * `xl restore [-p] [-e] [-d] [-F] [-c] [ConfigFile] CheckpointFile`: main_restore() of
 * tools/xl/xl_saverestore.c into create_domain() (xl_vmcontrol.c), whose stderr lines
 * are kept: "Loading new save file F (new xl fmt info 0x3/0x0/N)", " Savefile contains
 * xl domain config in JSON format", "Parsing config from <saved>" (or the ConfigFile).
 * A bad file gets xl's words ("File has wrong magic number - corrupt or for a different
 * tool?", "Savefile truncated.") or the stream's own error with its offset, and exit 1;
 * nothing is left behind. As with create, the lab needs no monitoring daemon (-e is
 * the default); -c (console) and -V / -A (VNC) are not carried out here.
 *
 * The lab journals a restore with a copy of the image kept in the lab folder, so the
 * next xl run replays it from a file that does not move.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { XlCommand } from '../context';
import { xlGetopt } from '../getopt';
import { asToolstackError } from '../toolstack-failure';

export const restore: XlCommand = async (ctx, args) => {
  const { opts, operands } = xlGetopt(ctx.io, 'restore', args, 'FcpdeVA', [{ name: 'vncviewer', hasArg: false, val: 'V' }, { name: 'vncviewer-autopass', hasArg: false, val: 'A' }], 1);
  if (operands.length > 2) {
    ctx.err('xl restore takes [ConfigFile] CheckpointFile\n');
    return 1;
  }
  const paused = opts.some((o) => o.opt === 'p');
  const [cfgArg, fileArg] = operands.length === 2 ? [operands[0], operands[1]!] : [undefined, operands[0]!];
  let file = ctx.file(fileArg);
  let configText: string | undefined;
  if (cfgArg !== undefined) {
    try {
      configText = readFileSync(ctx.file(cfgArg), 'utf8');
    } catch (e) {
      ctx.err(`Failed to read config file: ${cfgArg}: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const host = await ctx.host();
  if (ctx.where() === 'lab') {
    if (!existsSync(file)) {
      ctx.err(`Can't open restore file: No such file or directory\n`);
      return 1;
    }
    file = keepInLab(ctx.globals.labDir, file);
  }
  let result;
  try {
    result = await host.restore(file, { paused, ...(configText !== undefined ? { configText } : {}) });
  } catch (e) {
    const err = asToolstackError(e);
    ctx.err(`${err.message}\n`);
    return 1;
  }
  for (const l of result.log) ctx.err(`${l.replace(file, resolve(ctx.cwd, fileArg))}\n`);
  await ctx.record({ op: 'restore', image: file, paused, ...(configText !== undefined ? { configText } : {}) });
  return 0;
};

/** A copy of the image in <lab>/save/journal/, named by its content, for journal replays. */
function keepInLab(labDir: string, file: string): string {
  const dir = join(labDir, 'save', 'journal');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const h = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
  const copy = join(dir, `${h}.save`);
  if (!existsSync(copy)) copyFileSync(file, copy);
  return copy;
}
