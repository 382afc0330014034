/**
 * `xl rename <Domain> <NewDomainName>`: main_rename() of tools/xl/xl_misc.c over
 * libxl_domain_rename. A refusal is libxl's log line, then "Can't rename domain 'X'.",
 * exit 1.
 */
import type { XlCommand } from '../context';
import { findDomain } from '../find-domain';
import { xlGetopt } from '../getopt';
import { libxlError, SITES } from '../libxl-log';
import { asToolstackError } from '../toolstack-failure';

export const rename: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'rename', args, '', [], 2);
  const [dom, newName] = [operands[0]!, operands[1]!];
  const host = await ctx.host();
  const domid = await findDomain(ctx, host, dom);
  try {
    await host.renameDomain(domid, newName);
  } catch (e) {
    const err = asToolstackError(e);
    ctx.err(err.message.startsWith('Domain with name') ? libxlError(SITES.rename, domid, err.message) : `${err.message}\n`);
    ctx.err(`Can't rename domain '${dom}'.\n`);
    return 1;
  }
  await ctx.record({ op: 'rename', domid, name: newName });
  return 0;
};
