import { describe, it } from 'vitest';
import fc from 'fast-check';
import { boot, topo } from './helpers';
import { checkInvariants } from './invariants';
import { XenError } from '../../../../engine/hypervisor/errno';
import { MICROSECS } from '../../../../engine/hypervisor/clock';
import type { SchedulerName } from '../../../../engine/hypervisor/sched/scheduler';
import type { WorkloadSpec } from '../../../../engine/hypervisor/sched/workload';
import type { Xen } from '../../../../engine/hypervisor/xen';

const SCHEDS: SchedulerName[] = ['credit', 'credit2', 'rtds', 'null'];
const WORKLOADS: WorkloadSpec[] = [
  { kind: 'cpu' },
  { kind: 'io', burnUs: 300, blockUs: 500 },
  { kind: 'latency', idleUs: 400, burstUs: 30 },
  { kind: 'rt', periodUs: 2000, execUs: 500 },
  { kind: 'idle' },
];

type Op = { k: number; a: number; b: number; c: number };

function apply(x: Xen, op: Op): void {
  const doms = x.hypercall({ op: 'sysctl.getdomaininfolist' }).filter((d) => d.domid !== 0);
  const pools = x.hypercall({ op: 'sysctl.cpupool_op.list' });
  const dom = doms.length > 0 ? doms[op.a % doms.length]!.domid : 0;
  const pool = pools[op.b % pools.length]!;
  const n = x.topology.nrCpus;
  switch (op.k % 12) {
    case 0: {
      const { domid } = x.hypercall({ op: 'domctl.createdomain', type: 'pvh', maxVcpus: 1 + (op.a % 3), name: `d${op.c}` });
      x.hypercall({ op: 'sim.set_workload', domid, vcpu: 'all', workload: WORKLOADS[op.b % WORKLOADS.length]! });
      break;
    }
    case 1:
      x.hypercall({ op: 'domctl.pausedomain', domid: dom });
      break;
    case 2:
      x.hypercall({ op: 'domctl.unpausedomain', domid: dom });
      break;
    case 3:
      x.hypercall({ op: 'domctl.destroydomain', domid: dom });
      break;
    case 4:
      x.hypercall({ op: 'domctl.setvcpuaffinity', domid: dom, vcpu: 0, hard: [op.b % n, op.c % n], soft: [op.c % n] });
      break;
    case 5:
      x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: pool.poolId, cpus: [op.c % n] });
      break;
    case 6: {
      const free = x.hypercall({ op: 'sysctl.cpupool_op.freeinfo' }).cpus;
      if (free.length > 0) x.hypercall({ op: 'sysctl.cpupool_op.addcpu', poolId: pool.poolId, cpus: [free[op.c % free.length]!] });
      break;
    }
    case 7: {
      const free = x.hypercall({ op: 'sysctl.cpupool_op.freeinfo' }).cpus;
      x.hypercall({ op: 'sysctl.cpupool_op.create', name: `p${op.c}`, sched: SCHEDS[op.a % SCHEDS.length]!, cpus: free.slice(0, 1 + (op.b % 2)) });
      break;
    }
    case 8:
      x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: pool.poolId, domid: dom });
      break;
    case 9:
      x.hypercall({ op: 'sysctl.cpupool_op.destroy', poolId: pool.poolId });
      break;
    case 10:
      x.hypercall({ op: 'domctl.scheduler_op', domid: dom, cmd: 'putinfo', params: pool.sched === 'rtds' ? { period: 1000 + op.b, budget: 100 + op.c } : { weight: 1 + op.b * 7, cap: op.c % 3 === 0 ? 0 : 10 + (op.c % 90) } });
      break;
    case 11:
      x.hypercall({ op: 'sim.set_workload', domid: dom, vcpu: 'all', workload: WORKLOADS[op.c % WORKLOADS.length]! });
      break;
  }
}

describe('random hypercall sequences', () => {
  it('keep the scheduling invariants under every scheduler, refusals changing nothing', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SCHEDS),
        fc.array(fc.record({ k: fc.nat(11), a: fc.nat(50), b: fc.nat(50), c: fc.nat(50) }), { minLength: 5, maxLength: 40 }),
        (sched, ops) => {
          const x = boot(sched, topo(2, 2));
          for (const op of ops) {
            try {
              apply(x, op);
            } catch (e) {
              if (!(e instanceof XenError)) throw e;
            }
            x.clock.runFor(MICROSECS(700 + op.c * 37));
            checkInvariants(x);
          }
          x.clock.runFor(MICROSECS(20000));
          checkInvariants(x);
        },
      ),
      { numRuns: 150, seed: 4 },
    );
  });
});
