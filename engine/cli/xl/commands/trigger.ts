/**
 * `xl trigger <Domain> <nmi|reset|init|power|sleep|s3resume> [<VCPU>]`: main_trigger() of
 * tools/xl/xl_misc.c. An unknown trigger is "Invalid trigger "X"", exit 1; a VCPU that is
 * not a number warns "Invalid vcpuid, using default vcpuid=0." and goes on. xl ignores
 * what libxl_send_trigger returns: a refusal is libxl's line ("Send trigger 'X' failed:
 * strerror") and the exit status is still 0.
 */
import { strerror } from '../../../toolstack/strerror';
import { TRIGGERS, type TriggerName } from '../../../toolstack/host-api';
import type { XlCommand } from '../context';
import { findDomain } from '../find-domain';
import { xlGetopt } from '../getopt';
import { libxlError, type LibxlSite } from '../libxl-log';
import { asToolstackError } from '../toolstack-failure';

const SITE: LibxlSite = { file: 'libxl_domain.c', line: 2207, fn: 'libxl_send_trigger' };

export const trigger: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'trigger', args, '', [], 2);
  const host = await ctx.host();
  const domid = await findDomain(ctx, host, operands[0]!);
  const name = operands[1]!;
  if (!(TRIGGERS as readonly string[]).includes(name)) {
    ctx.err(`Invalid trigger "${name}"\n`);
    return 1;
  }
  let vcpu = 0;
  const v = operands[2];
  if (v !== undefined) {
    // strtol: leading digits count; none at all is 0 with a warning
    const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(v);
    vcpu = m ? Number.parseInt(m[1]!, 10) : 0;
    if (!m) ctx.err('Invalid vcpuid, using default vcpuid=0.\n\n');
  }
  try {
    await host.sendTrigger(domid, name as TriggerName, vcpu);
  } catch (e) {
    const err = asToolstackError(e);
    ctx.err(libxlError(SITE, domid, err.message, strerror(err.code)));
    return 0;
  }
  await ctx.record({ op: 'trigger', domid, trigger: name as TriggerName, vcpu });
  return 0;
};
