/**
 * `xl shutdown|reboot [-a] [-w[w]] [-F] [Domain]`: main_shutdown_or_reboot() of
 * tools/xl/xl_vmcontrol.c. Messages go to stderr: "Shutting down domain N" / "Rebooting
 * domain N"; with -w, "Waiting for K domains" and, as each domain stops, "Domain N has
 * been shut down, reason code R" (-w) or, with -ww, that line, "Domain N continue
 * waiting for death" and "Domain N has been destroyed" (wait_for_domain_deaths).
 * -a acts on every domain but Domain-0. Neither -a nor a domain: a usage error, exit 1.
 *
 * The embedded host has no guest kernel yet: a shutdown request is complied with at
 * once and the domain's on_poweroff / on_reboot action runs, so the events are already
 * there when xl starts waiting. A domain kept by on_poweroff="preserve" dies only when
 * someone destroys it: -ww then lets go of the lab and waits for another run's
 * `xl destroy` in the journal (domain-end.ts), as xl would wait for DOMAIN_DEATH.
 */
import { domainsByDomid } from '../domain-order';
import type { XlCommand, XlHost } from '../context';
import { findDomain } from '../find-domain';
import { xlGetopt } from '../getopt';
import { libxlError, LIBXL_RC, SITES } from '../libxl-log';
import { waitForDomainEnd, waitForDomainGone } from '../domain-end';
import { asToolstackError } from '../toolstack-failure';

/** SHUTDOWN_poweroff / SHUTDOWN_reboot (xen/include/public/sched.h). */
const REASON_CODE = { poweroff: 0, reboot: 1 } as const;

function shutdownCommand(reboot: boolean): XlCommand {
  const what = reboot ? 'reboot' : 'shutdown';
  return async (ctx, args) => {
    const { opts, operands } = xlGetopt(ctx.io, what, args, 'awF', [
      { name: 'all', hasArg: false, val: 'a' },
      { name: 'wait', hasArg: false, val: 'w' },
    ], 0);
    const all = opts.some((o) => o.opt === 'a');
    const wait = opts.filter((o) => o.opt === 'w').length;
    if (operands[0] === undefined && !all) {
      ctx.err('You must specify -a or a domain id.\n\n');
      return 1;
    }
    const host = await ctx.host();
    const targets = all
      ? (await domainsByDomid(host)).filter((d) => d.domid !== 0).map((d) => d.domid)
      : [await findDomain(ctx, host, operands[0]!)];
    const preserved: number[] = [];
    if (wait >= 2) for (const id of targets) if (await isPreserved(host, id, reboot)) preserved.push(id);
    let lastEntry = -1;
    for (const domid of targets) {
      ctx.err(reboot ? `Rebooting domain ${domid}\n` : `Shutting down domain ${domid}\n`);
      try {
        await host.shutdown(domid, { reboot });
      } catch (e) {
        const err = asToolstackError(e);
        if (err.code === 'ESRCH') ctx.err(libxlError(SITES.domainType, undefined, `unable to get domain type for domid=${domid}`));
        else ctx.err(`${err.message}\n`);
        ctx.err(`${what} failed (rc=${LIBXL_RC.FAIL})\n`);
        return 1;
      }
      lastEntry = await ctx.record({ op: 'shutdown', domid, reboot });
    }
    if (wait > 0) {
      ctx.err(`Waiting for ${targets.length} domains\n`);
      const code = reboot ? REASON_CODE.reboot : REASON_CODE.poweroff;
      for (const domid of targets) {
        ctx.err(`Domain ${domid} has been shut down, reason code ${code}\n`);
        if (wait >= 2) ctx.err(`Domain ${domid} continue waiting for death\n`);
        if (wait >= 2 && !preserved.includes(domid)) ctx.err(`Domain ${domid} has been destroyed\n`);
      }
    }
    if (preserved.length > 0) {
      await ctx.release();
      for (const domid of preserved) {
        let since = lastEntry + 1;
        if (ctx.where() !== 'lab') await waitForDomainGone(host, domid, ctx.signal);
        else for (;;) {
          const { end, entry } = await waitForDomainEnd(ctx.globals.labDir, domid, since);
          since = entry + 1;
          if (end.kind === 'destroyed') break;
        }
        ctx.err(`Domain ${domid} has been destroyed\n`);
      }
    }
    return 0;
  };
}

async function isPreserved(host: XlHost, domid: number, reboot: boolean): Promise<boolean> {
  let kept;
  try {
    kept = await host.keptConfig(domid);
  } catch {
    return false; // no such domain: the shutdown itself reports it
  }
  return kept !== undefined && (reboot ? kept.buildInfo.on_reboot : kept.buildInfo.on_poweroff) === 'preserve';
}

export const shutdown = shutdownCommand(false);
export const reboot = shutdownCommand(true);
