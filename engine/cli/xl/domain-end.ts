/**
 * Waiting for a lab domain to stop, as `xl create -F` and `xl shutdown -ww` wait for
 * libxl's DOMAIN_SHUTDOWN / DOMAIN_DEATH events (tools/xl/xl_vmcontrol.c). A lab has no
 * daemon to send events; what stops a domain is another `xl` run, and every such run
 * appends to the journal. So the waiter reads the journal's new entries until one
 * shuts the domain down or destroys it. The journal is replaced atomically, so a read
 * never sees half an entry, and waiting takes no lock.
 */
import type { XlHost } from './context';
import { XlExit } from './io';

export type DomainEnd = { kind: 'destroyed' } | { kind: 'shutdown'; reboot: boolean };

export interface DomainEndWait {
  end: DomainEnd;
  /** Index of the journal entry that ended the domain. */
  entry: number;
}

export async function waitForDomainEnd(labDir: string, domid: number, since: number, pollMs = 100): Promise<DomainEndWait> {
  // loaded here: the lab (and the engine behind it) is not needed for a running XenDeck
  const { readJournal } = await import('./lab-store');
  let next = since;
  for (;;) {
    const entries = await readJournal(labDir);
    for (; next < entries.length; next++) {
      const e = entries[next]!;
      if (e.op === 'destroy' && e.domid === domid) return { end: { kind: 'destroyed' }, entry: next };
      if (e.op === 'shutdown' && e.domid === domid) return { end: { kind: 'shutdown', reboot: e.reboot }, entry: next };
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Over a running XenDeck's socket there is no journal: the domain is asked for until the
 * host no longer knows it (ESRCH), which is what a preserved domain's death looks like.
 */
export async function waitForDomainGone(host: XlHost, domid: number, signal?: AbortSignal, pollMs = 100): Promise<void> {
  for (;;) {
    // ^C in Domain-0's shell: xl is killed by SIGINT (status 130, as the shell reports it)
    if (signal?.aborted) throw new XlExit(130);
    try {
      await host.domain(domid);
    } catch (e) {
      if (e instanceof Error && 'code' in e && e.code === 'ESRCH') return;
      throw e;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
