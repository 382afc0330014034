/**
 * `xl create -F`: stay in the foreground with the domain until it dies, as create_domain()
 * of tools/xl/xl_vmcontrol.c does when it neither daemonizes nor detaches: "Waiting for
 * domain NAME (domid N) to die [pid P]", then on the DOMAIN_SHUTDOWN event "Domain N has
 * shut down, reason code R 0xR" and handle_domain_death()'s "Action for shutdown reason
 * code R is ACTION", and on DOMAIN_DEATH "Domain N has been destroyed.".
 *
 * In a lab the embedded host already carries out the on_poweroff / on_reboot action when
 * the shutdown is asked for, so this only reports it; after a restart it follows the new
 * domain of the same name, as xl loops back to `start:` ("Done. Rebooting now").
 */
import { SHUTDOWN_REASON_CODE } from '../../../hypervisor/domain';
import type { ShutdownAction } from '../../../toolstack/types';
import type { XlContext } from '../context';
import { waitForDomainEnd } from '../domain-end';
import { notImplemented } from '../not-implemented';

const reasonCode = (reboot: boolean): number => SHUTDOWN_REASON_CODE[reboot ? 'reboot' : 'poweroff'];

export async function monitorDomain(ctx: XlContext, name: string, firstDomid: number, journalIndex: number, pollMs?: number): Promise<number> {
  // the running XenDeck has no journal to follow and the api no domain events for xl yet
  if (ctx.where() === 'socket') notImplemented(ctx, 'create -F against a running XenDeck (use --lab)');
  // a foreground xl that would hold dom0's shell until the domain dies
  if (ctx.where() === 'dom0') notImplemented(ctx, "create -F in Domain-0's shell (create it without -F)");
  let domid = firstDomid;
  let since = journalIndex + 1;
  const host0 = await ctx.host();
  const kept = await host0.keptConfig(domid);
  const actions = { poweroff: kept?.buildInfo.on_poweroff ?? 'destroy', reboot: kept?.buildInfo.on_reboot ?? 'restart' };
  await ctx.release();
  for (;;) {
    ctx.err(`Waiting for domain ${name} (domid ${domid}) to die [pid ${process.pid}]\n`);
    const { end, entry } = await waitForDomainEnd(ctx.globals.labDir, domid, since, pollMs);
    since = entry + 1;
    if (end.kind === 'destroyed') {
      ctx.err(`Domain ${domid} has been destroyed.\n`);
      return 0;
    }
    const code = reasonCode(end.reboot);
    const action: ShutdownAction = end.reboot ? actions.reboot : actions.poweroff;
    ctx.err(`Domain ${domid} has shut down, reason code ${code} 0x${code.toString(16)}\n`);
    ctx.err(`Action for shutdown reason code ${code} is ${action}\n`);
    if (action === 'preserve') {
      ctx.err('Done. Exiting now\n');
      return 0;
    }
    ctx.err(`Domain ${domid} needs to be cleaned up: destroying the domain\n`);
    if (!restarts(action)) {
      ctx.err('Done. Exiting now\n');
      return 0;
    }
    ctx.err('Done. Rebooting now\n');
    // the restarted domain, as the entry that rebooted it left the host
    const again = (await (await ctx.hostAsOf(entry + 1)).listDomains()).find((d) => d.name === name);
    if (!again) return 0;
    domid = again.domid;
  }
}

function restarts(a: ShutdownAction): boolean {
  return a === 'restart' || a === 'rename-restart' || a === 'coredump-restart';
}
