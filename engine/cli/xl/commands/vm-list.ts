/** `xl vm-list`: main_vm_list() of tools/xl/xl_info.c (no options). */
import { domainsByDomid } from '../domain-order';
import type { XlCommand } from '../context';
import { vmList } from '../format/vm-list';
import { xlGetopt } from '../getopt';

export const vmListCommand: XlCommand = async (ctx, args) => {
  xlGetopt(ctx.io, 'vm-list', args, '', [], 0);
  ctx.out(vmList(await domainsByDomid(await ctx.host())));
  return 0;
};
