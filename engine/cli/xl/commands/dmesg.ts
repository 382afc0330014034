/**
 * `xl dmesg [-c]`: main_dmesg() of tools/xl/xl_info.c, the hypervisor console ring
 * (XEN_SYSCTL_readconsole); -c clears it after reading, which changes the host, so the
 * clear is journalled.
 */
import type { XlCommand } from '../context';
import { xlGetopt } from '../getopt';

export const dmesg: XlCommand = async (ctx, args) => {
  const { opts } = xlGetopt(ctx.io, 'dmesg', args, 'c', [{ name: 'clear', hasArg: false, val: 'c' }], 0);
  const clear = opts.some((o) => o.opt === 'c');
  const text = await (await ctx.host()).dmesg({ clear });
  ctx.out(text === '' || text.endsWith('\n') ? text : `${text}\n`);
  if (clear) await ctx.record({ op: 'dmesg-clear' });
  return 0;
};
