/**
 * `xl info [-n] [FIELD]`: main_info() / print_info() of tools/xl/xl_info.c in the format
 * of engine/cli/xl-format.ts. With FIELD (and no -n), maybe_printf keeps only the lines
 * starting with FIELD and prints what follows their ": " — so a prefix matches too.
 * -n (the NUMA tables) is not modelled yet and is refused.
 */
import type { XlCommand } from '../context';
import { xlInfo } from '../../xl-format';
import { xlGetopt } from '../getopt';
import { notImplemented } from '../not-implemented';

export const info: XlCommand = async (ctx, args) => {
  const { opts, operands } = xlGetopt(ctx.io, 'info', args, 'n', [{ name: 'numa', hasArg: false, val: 'n' }], 0);
  if (opts.some((o) => o.opt === 'n')) notImplemented(ctx, 'info -n (NUMA topology tables)');
  const host = await ctx.host();
  const s = await host.summary();
  const m = /^(\d+)\.(\d+)(.*)$/.exec(s.xenVersion);
  const text = xlInfo({
    host: s.hostname,
    physinfo: await host.physinfo(),
    xenMajor: Number(m?.[1] ?? 0),
    xenMinor: Number(m?.[2] ?? 0),
    xenExtra: m?.[3] ?? '',
    scheduler: s.scheduler,
    commandline: '',
  });
  const field = operands[0];
  if (field === undefined) {
    ctx.out(text);
    return 0;
  }
  for (const line of text.split('\n')) {
    const k = line.indexOf(': ');
    if (line.startsWith(field) && k >= 0) ctx.out(`${line.slice(k + 2)}\n`);
  }
  return 0;
};
