/**
 * `xl destroy [-f] Domain`: main_destroy() / destroy_domain() of tools/xl/xl_vmcontrol.c.
 * Domain 0 is refused without -f; a domid that does not exist reaches libxl, which logs
 * libxl__destroy_domid's three lines, and xl says "destroy failed (rc=-21)", exit 1
 * (test/fixtures/realxen/xl-destroy-domid-99.err).
 */
import type { XlCommand } from '../context';
import { findDomain } from '../find-domain';
import { xlGetopt } from '../getopt';
import { destroyNotFoundLines, LIBXL_RC } from '../libxl-log';
import { asToolstackError } from '../toolstack-failure';

export const destroy: XlCommand = async (ctx, args) => {
  const { opts, operands } = xlGetopt(ctx.io, 'destroy', args, 'f', [], 1);
  const force = opts.some((o) => o.opt === 'f');
  const host = await ctx.host();
  const domid = await findDomain(ctx, host, operands[0]!);
  if (domid === 0 && !force) {
    ctx.err('Not destroying domain 0; use -f to force.\nThis can only be done when using a disaggregated hardware domain and toolstack.\n\n');
    return 1;
  }
  try {
    await host.destroy(domid);
  } catch (e) {
    const err = asToolstackError(e);
    if (err.code === 'ESRCH') {
      ctx.err(destroyNotFoundLines(domid));
      ctx.err(`destroy failed (rc=${LIBXL_RC.DOMAIN_NOTFOUND})\n`);
    } else {
      ctx.err(`${err.message}\n`);
      ctx.err(`destroy failed (rc=${LIBXL_RC.FAIL})\n`);
    }
    return 1;
  }
  await ctx.record({ op: 'destroy', domid });
  return 0;
};
