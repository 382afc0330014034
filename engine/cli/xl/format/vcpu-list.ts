/**
 * `xl vcpu-list`: vcpulist() / print_vcpuinfo() of tools/xl/xl_vcpu.c. Header
 * "%-32s %5s %5s %5s %5s %9s %s"; a row "%-32s %5u %5u", then "%5u %3c%c- " for an
 * online vCPU (pCPU, r, b) or "    -   --p " for an offline one, "%9.1f  " of its time
 * and "HARD / SOFT" affinity as print_bitmap writes them ("all", "0-3").
 */
import type { VcpuSummary } from '../../../toolstack/types';

export const VCPU_LIST_HEADER = `${'Name'.padEnd(32)} ${'ID'.padStart(5)} ${'VCPU'.padStart(5)} ${'CPU'.padStart(5)} ${'State'.padStart(5)} ${'Time(s)'.padStart(9)} Affinity (Hard / Soft)\n`;

export function vcpuRow(v: VcpuSummary): string {
  const head = `${v.name.padEnd(32)} ${String(v.domid).padStart(5)} ${String(v.vcpu).padStart(5)}`;
  const where =
    v.online && v.cpu !== null
      ? `${String(v.cpu).padStart(5)} ${(v.runstate === 'running' ? 'r' : '-').padStart(3)}${v.runstate === 'blocked' ? 'b' : '-'}- `
      : `${'-'.padStart(5)} ${'-'.padStart(3)}-p `;
  return `${head}${where}${v.cpuTimeS.toFixed(1).padStart(9)}  ${v.hardAffinity} / ${v.softAffinity}\n`;
}
