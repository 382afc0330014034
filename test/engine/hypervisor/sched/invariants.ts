import { expect } from 'vitest';
import type { Xen } from '../../../../engine/hypervisor/xen';

/** Every pCPU runs at most one vCPU, each vCPU at most on one pCPU, within its hard affinity and pool. */
export function checkInvariants(x: Xen): void {
  const core = x.pools.core;
  const seen = new Set<unknown>();
  for (let c = 0; c < core.nrCpus; c++) {
    const u = core.curr(c);
    if (!u) continue;
    expect(seen.has(u)).toBe(false);
    seen.add(u);
    expect(u.pcpu).toBe(c);
    expect(u.vcpu.runstate).toBe('running');
    expect(core.poolOf[c]).toBe(u.dom.poolId);
    if (!u.affBroken) expect(u.vcpu.hardAffinity.has(c)).toBe(true);
  }
  for (const d of x.hypercall({ op: 'sysctl.getdomaininfolist' })) {
    for (const v of x.hypercall({ op: 'domctl.getvcpuinfo', domid: d.domid })) {
      if (v.runstate === 'running') expect(core.curr(v.cpu)?.vcpu.vcpuId).toBe(v.vcpu);
    }
  }
}
