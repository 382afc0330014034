/**
 * `xl mem-set <Domain> <MemMB[bkmgt]>`: main_memset() / set_memory_target() of
 * tools/xl/xl_mem.c — parse_mem_size_kb() as mem-max reads it, then
 * libxl_set_memory_target(relative 0, enforce 1). xl returns at once; the guest's
 * balloon driver moves the domain's memory to the target afterwards (xl list's Mem column
 * follows). Errors: "invalid memory size: X"; libxl's log line, then "cannot set domid N
 * dynamic max memory to : X", exit 1.
 */
import type { XlCommand } from '../context';
import { libxlError, SITES } from '../libxl-log';
import { asToolstackError } from '../toolstack-failure';
import { domainAndSize } from './mem-max';

export const memSet: XlCommand = async (ctx, args) => {
  const got = await domainAndSize(ctx, 'mem-set', args);
  if (!got) return 1;
  const { host, domid, mem, kib } = got;
  try {
    await host.setMemoryTarget(domid, kib);
  } catch (e) {
    const err = asToolstackError(e);
    // the source's message ends in "\n" and the logger adds its own: a blank line follows
    if (err.message.startsWith('memory_dynamic_max')) ctx.err(libxlError(SITES.memTarget, domid, `${err.message}\n`));
    else if (err.message.startsWith('New target')) ctx.err(libxlError(SITES.memTargetDom0, domid, err.message));
    else ctx.err(`${err.message}\n`);
    ctx.err(`cannot set domid ${domid} dynamic max memory to : ${mem}\n`);
    return 1;
  }
  await ctx.record({ op: 'mem-set', domid, targetKiB: kib });
  return 0;
};
