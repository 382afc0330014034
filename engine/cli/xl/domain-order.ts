/**
 * Domains in domid order, as libxl_list_domain returns them (XEN_SYSCTL_getdomaininfolist
 * walks domids upwards); the embedded host lists them in creation order, which differs
 * once domids wrap or a restart takes a new one.
 */
import type { DomainSummary } from '../../toolstack/types';
import type { XlHost } from './context';

export async function domainsByDomid(host: XlHost): Promise<DomainSummary[]> {
  return (await host.listDomains()).sort((a, b) => a.domid - b.domid);
}
