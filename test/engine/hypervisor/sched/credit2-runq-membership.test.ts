import { describe, expect, it } from 'vitest';
import { Xen } from '../../../../engine/hypervisor/xen';
import { MICROSECS } from '../../../../engine/hypervisor/clock';
import type { Unit } from '../../../../engine/hypervisor/sched/core';
import { SCHED_MIX } from '../../../fixtures/sched-mix';

/** The runqueues' waiting lists and each unit's runqueue, from the scheduler's private state. */
type Rq = { id: number; runq: Unit[] };
type Queues = { rqs: Rq[]; migrations: number };
const rqdOf = (u: Unit): Rq | null => (u.priv as { rqd: Rq | null }).rqd;

/** The bench's mix without its 'mix' entry: busier runqueues, so balance_load moves running units. */
const BUSY_MIX = SCHED_MIX.filter((w) => w.kind !== 'mix');

describe('credit2 runqueue membership', () => {
  // balance_load() runs inside csched2_schedule(), while the outgoing unit is still
  // __CSFLAG_scheduled and not yet back on a runqueue (context_saved() adds it later):
  // migrate() then only requests the move. Requeueing prev before balance_load left it
  // waiting on a runqueue it no longer belonged to, to be run by that runqueue's pCPUs.
  it('a unit waits only on its own runqueue, on one, and never while it runs', () => {
    const x = Xen.boot({ seed: 42, topology: { sockets: 4, coresPerSocket: 16, threadsPerCore: 2, memoryMiB: 256 * 1024, x2apic: true }, sched: 'credit2', dom0MaxVcpus: 4 });
    let i = 0;
    for (let d = 0; d < 128; d++) {
      const { domid } = x.hypercall({ op: 'domctl.createdomain', type: 'pvh', maxVcpus: 4, name: `vm${d}` });
      for (let v = 0; v < 4; v++) x.hypercall({ op: 'sim.set_workload', domid, vcpu: v, workload: BUSY_MIX[i++ % BUSY_MIX.length]! });
    }
    const s = x.pools.pool(0).sched as unknown as Queues;
    let queued = 0;
    for (let step = 0; step < 2000; step++) {
      x.clock.runFor(MICROSECS(100));
      const seen = new Map<Unit, number>();
      for (const rq of s.rqs) {
        for (const u of rq.runq) {
          const who = `${u.domid}.${u.vcpuId}`;
          expect(seen.get(u), `${who} waits on runqueues ${seen.get(u)} and ${rq.id}`).toBeUndefined();
          seen.set(u, rq.id);
          expect(rqdOf(u)?.id, `${who} waits on runqueue ${rq.id} but is assigned to ${rqdOf(u)?.id}`).toBe(rq.id);
          expect(u.isRunning, `${who} waits on runqueue ${rq.id} while running on pCPU ${u.pcpu}`).toBe(false);
          queued++;
        }
      }
    }
    expect(queued).toBeGreaterThan(10_000);
    // (balance_load moved units meanwhile: the case the invariants above are about)
    expect(s.migrations).toBeGreaterThan(50);
  });
});
