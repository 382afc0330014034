/**
 * `xl pause Domain` / `xl unpause Domain`: main_pause() / main_unpause() of
 * tools/xl/xl_vmcontrol.c. xl ignores what libxl returns: a failure (an unused domid,
 * unpausing a domain that is not paused) is only libxl's log line, and the exit status
 * is 0. Pauses nest in Xen, so each successful one is journalled.
 */
import { strerror } from '../../../toolstack/strerror';
import type { XlCommand } from '../context';
import { findDomain } from '../find-domain';
import { xlGetopt } from '../getopt';
import { libxlError, SITES } from '../libxl-log';
import { asToolstackError } from '../toolstack-failure';

function pauseCommand(which: 'pause' | 'unpause'): XlCommand {
  return async (ctx, args) => {
    const { operands } = xlGetopt(ctx.io, which, args, '', [], 1);
    const host = await ctx.host();
    const domid = await findDomain(ctx, host, operands[0]!);
    try {
      await (which === 'pause' ? host.pause(domid) : host.unpause(domid));
    } catch (e) {
      const err = asToolstackError(e);
      const site = which === 'pause' ? SITES.pause : SITES.unpause;
      ctx.err(libxlError(site, domid, which === 'pause' ? 'Pausing domain' : 'Unpausing domain', strerror(err.code)));
      return 0;
    }
    await ctx.record({ op: which, domid });
    return 0;
  };
}

export const pause = pauseCommand('pause');
export const unpause = pauseCommand('unpause');
