/**
 * `xl vm-list`: list_vm() of tools/xl/xl_info.c, "UUID  %d    %-30s" per domain under a
 * literal header. Xen 4.17's libxl_list_vm lists Domain-0 too (test/fixtures/realxen
 * xl-vm-list.out), so it is kept.
 */
import type { DomainSummary } from '../../../toolstack/types';

export function vmList(domains: readonly DomainSummary[]): string {
  return 'UUID                                  ID    name\n' + domains.map((d) => `${d.uuid}  ${d.domid}    ${d.name.padEnd(30)}\n`).join('');
}
