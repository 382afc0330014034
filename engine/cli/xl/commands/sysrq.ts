/**
 * `xl sysrq <Domain> <letter>`: main_sysrq() of tools/xl/xl_misc.c. More than one
 * character is "Invalid sysrq." then the command's help, exit 1; otherwise
 * libxl_send_sysrq writes it to the guest's control/sysrq and xl exits 0 whatever the
 * guest does with it.
 */
import type { XlCommand } from '../context';
import { findDomain } from '../find-domain';
import { xlGetopt } from '../getopt';
import { helpText } from '../help';

export const sysrq: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'sysrq', args, '', [], 2);
  const host = await ctx.host();
  const domid = await findDomain(ctx, host, operands[0]!);
  const key = operands[1]!;
  if (key.length !== 1) {
    ctx.err('Invalid sysrq.\n\n');
    ctx.out(helpText('sysrq'));
    return 1;
  }
  await host.sendSysrq(domid, key);
  await ctx.record({ op: 'sysrq', domid, key });
  return 0;
};
