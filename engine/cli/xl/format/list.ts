/**
 * `xl list` over the toolstack's DomainSummary: list_domains() of tools/xl/xl_info.c.
 * The header is a literal with TABs before State and Time(s); a row is
 * "%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f", then with -v " UUID %8x|%8s %16s"
 * (the shutdown reason in hex, "-" when running; the security label, "-" without XSM),
 * with -c "%16s" of the cpupool name, and with -n a space and the domain's node affinity
 * (print_bitmap over the host's nodes: "all", "0", "0-1" ...).
 */
import type { DomainSummary } from '../../../toolstack/types';
import { printBitmap } from './bitmap';

export interface ListColumns {
  verbose: boolean;
  context: boolean;
  cpupool: boolean;
  /** -n: each domain's NODE Affinity as print_bitmap prints it over nr_nodes. */
  numa?: { nrNodes: number; nodes: ReadonlyMap<number, readonly number[]> };
}

/** SHUTDOWN_* codes (xen/include/public/sched.h), printed by -v as the reason code. */
const SHUTDOWN_CODE: Record<string, number> = { poweroff: 0, reboot: 1, suspend: 2, crash: 3, watchdog: 4, soft_reset: 5 };

export function listHeader(c: ListColumns): string {
  let h = 'Name                                        ID   Mem VCPUs\tState\tTime(s)';
  if (c.verbose) h += '   UUID                            Reason-Code\tSecurity Label';
  if (c.context && !c.verbose) h += '   Security Label';
  if (c.cpupool) h += '         Cpupool';
  if (c.numa) h += ' NODE Affinity';
  return h + '\n';
}

export function listRow(d: DomainSummary, c: ListColumns): string {
  let r = `${d.name.padEnd(40)} ${pad(d.domid, 5)} ${pad(d.memoryMiB, 5)} ${pad(d.onlineVcpus, 5)}     ${d.state}  ${d.cpuTimeS.toFixed(1).padStart(8)}`;
  const shutdown = d.state[3] === 's';
  if (c.verbose) {
    r += ` ${d.uuid}`;
    r += shutdown && d.shutdownReason !== null ? ` ${(SHUTDOWN_CODE[d.shutdownReason] ?? 0).toString(16).padStart(8)}` : ` ${'-'.padStart(8)}`;
  }
  if (c.verbose || c.context) r += ` ${'-'.padStart(16)}`;
  if (c.cpupool) r += d.cpupool.padStart(16);
  if (c.numa) r += ` ${printBitmap(c.numa.nodes.get(d.domid) ?? [], c.numa.nrNodes)}`;
  return r + '\n';
}

export function listDomains(domains: readonly DomainSummary[], c: ListColumns): string {
  return listHeader(c) + domains.map((d) => listRow(d, c)).join('');
}

function pad(n: number, w: number): string {
  return String(n).padStart(w);
}
