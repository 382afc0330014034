import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import type { Xen } from '../../../../engine/hypervisor/xen';
import { poolPart, pressR } from './dump-helpers';
import { boot, cpuTime, guest, poolOn, run, topo } from './helpers';

// Assignment of vCPUs to pCPUs by the null scheduler, against Xen 4.17's
// xen/common/sched/null.c.

/** The null dump's "Waitqueue: ..." line(s) of the pool, the vCPUs as "dXvY". */
const waitq = (x: Xen, pool: number): string[] => {
  const part = poolPart(pressR(x), pool);
  const i = part.findIndex((l) => l.startsWith('Waitqueue:'));
  if (i < 0) return [];
  const out: string[] = [];
  for (let k = i; k < part.length && !part[k]!.startsWith('CPUs info:'); k++) out.push(part[k]!.replace('Waitqueue:', ''));
  return out
    .join(',')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
};

/** The pCPU a vCPU runs on (domctl.getvcpuinfo), -1 when it is not running. */
const runsOn = (x: Xen, domid: number, vcpu = 0): number => {
  const v = x.hypercall({ op: 'domctl.getvcpuinfo', domid })[vcpu]!;
  return v.running ? v.cpu : -1;
};

describe('null: vCPUs going offline and coming back (is_unit_online)', () => {
  // null_unit_sleep(): a vCPU taken offline (VCPUOP_down) is unit_deassign()ed: its pCPU
  // goes to the first waiting vCPU that may use it.
  it('gives the pCPU of a vCPU taken offline to a waiting vCPU', () => {
    const x = boot('credit2', topo(1, 3));
    const pool = poolOn(x, 'nl', 'null', [1, 2]);
    const a = guest(x, 'a', { pool, vcpus: 2, workload: { kind: 'cpu' } });
    const w = guest(x, 'w', { pool, workload: { kind: 'cpu' } });
    run(x, 0.1);
    expect(cpuTime(x, w)).toBe(0);
    expect(waitq(x, pool)).toEqual([`d${w}v0`]);
    x.hypercall({ op: 'vcpu_op.down', domid: a, vcpu: 1 });
    run(x, 0.1);
    expect(waitq(x, pool)).toEqual([]);
    expect(cpuTime(x, w)).toBeGreaterThan(MILLISECS(99));
    // null_unit_wake() of a vCPU neither assigned nor waiting (it was offline): its pCPU
    // is taken, so it waits
    x.hypercall({ op: 'vcpu_op.up', domid: a, vcpu: 1 });
    run(x, 0.1);
    expect(waitq(x, pool)).toEqual([`d${a}v1`]);
    expect(runsOn(x, a, 1)).toBe(-1);
  });

  // null_unit_insert(): an offline vCPU joining the pool is neither assigned nor queued
  it('neither assigns nor queues an offline vCPU moved into the pool', () => {
    const x = boot('credit2', topo(1, 3));
    const pool = poolOn(x, 'nl', 'null', [1, 2]);
    const a = guest(x, 'a', { vcpus: 2, workload: { kind: 'cpu' } });
    x.hypercall({ op: 'vcpu_op.down', domid: a, vcpu: 0 });
    x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: pool, domid: a });
    const w = guest(x, 'w', { pool, workload: { kind: 'cpu' } });
    run(x, 0.1);
    expect(waitq(x, pool)).toEqual([]);
    expect(runsOn(x, w)).toBeGreaterThan(0);
  });
});

describe('null: soft affinity comes first', () => {
  // unit_deassign(): the waiting vCPUs are scanned twice, first for one with soft
  // affinity to the freed pCPU, then for any its hard affinity allows
  it('gives a freed pCPU to a waiting vCPU soft-affine to it before one queued earlier', () => {
    const x = boot('credit2', topo(1, 3));
    const pool = poolOn(x, 'nl', 'null', [1, 2]);
    guest(x, 'a', { pool, workload: { kind: 'cpu' } });
    const b = guest(x, 'b', { pool, workload: { kind: 'cpu' } });
    const c = guest(x, 'c', { pool, workload: { kind: 'cpu' } });
    const d = guest(x, 'd', { workload: { kind: 'cpu' } });
    // b's pCPU (v->processor: it is assigned there)
    const freed = x.hypercall({ op: 'domctl.getvcpuinfo', domid: b })[0]!.cpu;
    // (after the move: sched_move_domain() resets a moved vCPU's affinities to all pCPUs)
    x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: pool, domid: d });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu: 0, soft: [freed] });
    run(x, 0.01);
    expect(runsOn(x, b)).toBe(freed);
    expect(waitq(x, pool)).toEqual([`d${c}v0`, `d${d}v0`]);
    x.hypercall({ op: 'domctl.destroydomain', domid: b });
    run(x, 0.01);
    expect(runsOn(x, d)).toBe(freed);
    expect(waitq(x, pool)).toEqual([`d${c}v0`]);
  });

  // pick_res(): with a soft affinity, the soft step comes first, and the unit's own pCPU
  // is kept there only if it is soft-affine too; else the first free soft-affine pCPU
  it('places a joining vCPU on a free soft-affine pCPU rather than on its own', () => {
    const x = boot('credit2', topo(1, 4));
    const pool = poolOn(x, 'nl', 'null', [1, 2, 3]);
    const d = guest(x, 'd', { workload: { kind: 'cpu' } });
    x.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: pool, domid: d });
    run(x, 0.01);
    // the move put it on the pool's first pCPU; a soft affinity set now moves it through
    // vcpu_set_affinity()'s migration, whose pick_res takes the free soft-affine pCPU
    expect(runsOn(x, d)).toBe(1);
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: d, vcpu: 0, soft: [3] });
    run(x, 0.01);
    expect(runsOn(x, d)).toBe(3);
  });
});
