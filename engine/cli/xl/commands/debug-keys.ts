/**
 * `xl debug-keys <Keys>`: main_debug_keys() of tools/xl/xl_misc.c. One operand, no
 * options; libxl_send_debug_keys hands the string to Xen (XEN_SYSCTL_debug_keys), which
 * prints its answers into the console ring (`xl dmesg`), so xl itself prints nothing.
 * A failure is xl's "cannot send debug keys: KEYS", exit 1.
 */
import type { XlCommand } from '../context';
import { xlGetopt } from '../getopt';

export const debugKeys: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'debug-keys', args, '', [], 1);
  const keys = operands[0]!;
  try {
    await (await ctx.host()).debugKeys(keys);
  } catch (e) {
    ctx.err(`${e instanceof Error ? e.message : String(e)}\ncannot send debug keys: ${keys}\n`);
    return 1;
  }
  await ctx.record({ op: 'debug-keys', keys });
  return 0;
};
