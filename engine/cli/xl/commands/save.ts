/**
 * `xl save [-c] [-p] [-D] Domain CheckpointFile [ConfigFile]`: main_save() /
 * save_domain() of tools/xl/xl_saverestore.c. xl prints "Saving to FILE new xl format
 * (info 0x3/0x0/N)" on stderr, suspends the domain into the file, then destroys it —
 * or with -c leaves it running, with -p leaves it paused. A failure says "Failed to
 * save domain, resuming domain" and exits 1. -D (keep the domid in the saved config)
 * and a ConfigFile override are not carried out: ENOSYS, said plainly.
 *
 * The lab journals the effect on the domain (destroyed, paused, or unchanged), not the
 * file: replaying the journal must not write save files again.
 */
import { NotImplementedError } from '../../../toolstack/toolstack-error';
import type { XlCommand } from '../context';
import { resolve } from 'node:path';
import { findDomain } from '../find-domain';
import { xlGetopt } from '../getopt';
import { asToolstackError } from '../toolstack-failure';

export const save: XlCommand = async (ctx, args) => {
  const { opts, operands } = xlGetopt(ctx.io, 'save', args, 'cpD', [], 2);
  const checkpoint = opts.some((o) => o.opt === 'c');
  const paused = opts.some((o) => o.opt === 'p');
  if (opts.some((o) => o.opt === 'D') || operands.length > 2) {
    const e = new NotImplementedError(opts.some((o) => o.opt === 'D') ? 'xl save -D (keep the domid)' : 'xl save with a config file override');
    ctx.err(`${e.message}\n`);
    return 1;
  }
  const host = await ctx.host();
  const domid = await findDomain(ctx, host, operands[0]!);
  const wasPaused = (await host.domain(domid)).state.includes('p');
  const file = ctx.file(operands[1]!);
  try {
    const r = await host.save(domid, file, { checkpoint, paused });
    // the path as this xl's user names it (in Domain 0, dom0's, not the lab folder's)
    for (const l of r.log) ctx.err(`${l.replace(file, resolve(ctx.cwd, operands[1]!))}\n`);
  } catch (e) {
    const err = asToolstackError(e);
    ctx.err(`${err.message}\n`);
    ctx.err('Failed to save domain, resuming domain\n');
    return 1;
  }
  const effect = checkpoint && !paused ? 'none' : paused ? (wasPaused ? 'none' : 'pause') : 'destroy';
  await ctx.record({ op: 'save', domid, effect });
  return 0;
};
