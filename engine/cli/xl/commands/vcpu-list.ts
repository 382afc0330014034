/**
 * `xl vcpu-list [Domain...]`: main_vcpulist() of tools/xl/xl_vcpu.c — every domain's
 * vCPUs in domid order, or those of the domains named (each through find_domain; an
 * unused domid prints nothing, as libxl_list_vcpu fails quietly for it).
 */
import type { VcpuSummary } from '../../../toolstack/types';
import type { XlCommand } from '../context';
import { findDomain } from '../find-domain';
import { VCPU_LIST_HEADER, vcpuRow } from '../format/vcpu-list';
import { xlGetopt } from '../getopt';
import { asToolstackError } from '../toolstack-failure';

export const vcpuList: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'vcpu-list', args, '', [], 0);
  const host = await ctx.host();
  let rows: VcpuSummary[] = [];
  if (operands.length === 0) rows = (await host.vcpuList()).sort((a, b) => a.domid - b.domid || a.vcpu - b.vcpu);
  else {
    for (const p of operands) {
      const domid = await findDomain(ctx, host, p);
      try {
        rows.push(...(await host.vcpuList(domid)));
      } catch (e) {
        asToolstackError(e);
      }
    }
  }
  ctx.out(VCPU_LIST_HEADER + rows.map(vcpuRow).join(''));
  return 0;
};
