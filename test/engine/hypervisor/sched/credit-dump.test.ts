import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import { CSCHED_PRI_TS_BOOST, CSCHED_PRI_TS_OVER } from '../../../../engine/hypervisor/sched/credit';
import type { Xen } from '../../../../engine/hypervisor/xen';
import { poolPart, pressR, pvOn, section } from './dump-helpers';
import { boot, guest, poolOn, topo } from './helpers';

/**
 * A credit pool on pCPUs 1-2: domain a (2 CPU-bound vCPUs, weight 512), b (1 CPU-bound
 * vCPU pinned to pCPU 1, cap 10 %) and c (1 vCPU, paused).
 */
function scene(): { x: Xen; pool: number; a: number; b: number; c: number } {
  const x = boot('credit2', topo(1, 3));
  const pool = poolOn(x, 'cr', 'credit', [1, 2]);
  const a = guest(x, 'a', { pool, vcpus: 2, workload: { kind: 'cpu' } });
  x.hypercall({ op: 'domctl.scheduler_op', domid: a, sched: 'credit', cmd: 'putinfo', params: { weight: 512 } });
  const b = guest(x, 'b', { pool, workload: { kind: 'cpu' } });
  x.hypercall({ op: 'domctl.scheduler_op', domid: b, sched: 'credit', cmd: 'putinfo', params: { cap: 10 } });
  const c = guest(x, 'c', { pool, workload: { kind: 'cpu' } });
  x.hypercall({ op: 'domctl.pausedomain', domid: c });
  x.hypercall({ op: 'domctl.setvcpuaffinity', domid: b, vcpu: 0, hard: [1] });
  x.clock.runFor(0);
  return { x, pool, a, b, c };
}

const SETTINGS = (credit: number, weight: number, tslice = 30): string[] => [
  'info:',
  '\tncpus              = 2',
  `\tcredit             = ${credit}`,
  `\tweight             = ${weight}`,
  '\tdefault-weight     = 256',
  `\ttslice             = ${tslice}ms`,
  '\tratelimit          = 1000us',
  '\tcredits per msec   = 10',
  '\tticks per tslice   = 3',
  '\tmigration delay    = 0us',
];

describe("credit's debug-key 'r' (csched_dump, csched_dump_pcpu, csched_dump_unit of Xen 4.17)", () => {
  it('prints the settings, no active unit before the first tick, and each pCPU with its running and queued units', () => {
    const { x, pool, a, b } = scene();
    const unit = (d: number, v: number, flags: number, cpu: number, w: number, cap: number): string =>
      `[${d}.${v}] pri=${CSCHED_PRI_TS_BOOST} flags=${flags.toString(16)} cpu=${cpu} credit=0 [w=${w},cap=${cap}]`;
    expect(poolPart(pressR(x), pool)).toEqual([
      `Cpupool ${pool}:`,
      'Cpus: 1-2',
      'Scheduling granularity: cpu, 1 CPU per sched-resource',
      'Scheduler: SMP Credit Scheduler (credit)',
      // prv->credit is credits_per_tslice (10 a ms x 30 ms) for each pCPU; no unit has been
      // accounted yet (csched_tick's first burn), so none is active and prv->weight is 0
      ...SETTINGS(600, 0),
      'idlers: 0',
      'active units:',
      'CPUs info:',
      `CPU[01] current=d${a}v0, curr=d${a}v0, prev=NULL`,
      // woken UNDER units are boosted; b is pinned to pCPU 1 (CSCHED_FLAG_UNIT_PINNED, bit 4)
      'CPU[01] nr_run=2, sibling={1}, core={0-2}',
      `\trun: ${unit(a, 0, 0, 1, 512, 0)}`,
      `\t  1: ${unit(b, 0, 0x10, 1, 256, 10)}`,
      `CPU[02] current=d${a}v1, curr=d${a}v1, prev=NULL`,
      'CPU[02] nr_run=1, sibling={2}, core={0-2}',
      `\trun: ${unit(a, 1, 0, 2, 512, 0)}`,
    ]);
  });

  it('lists the active units with their weights, priorities and a parked capped unit', () => {
    const { x, pool, a, b, c } = scene();
    x.clock.runFor(MILLISECS(205));
    const part = poolPart(pressR(x), pool);
    // three units consume: a's two of weight 512 and b's of 256 (prv->weight adds each)
    expect(part.slice(4, 14)).toEqual(SETTINGS(600, 2 * 512 + 256));
    const active = section(part, 'active units:', /^CPUs info:$/);
    expect(active).toHaveLength(3);
    expect(active.map((l) => /\[(\d+\.\d+)\]/.exec(l)![1]).sort()).toEqual([`${a}.0`, `${a}.1`, `${b}.0`]);
    active.forEach((l, i) => expect(l).toMatch(new RegExp(`^\\t {2}${i + 1}: \\[\\d+\\.\\d\\] pri=-?\\d+ flags=[0-9a-f]+ cpu=[12] credit=-?\\d+ \\[w=(512,cap=0|256,cap=10)\\]$`)));
    // b went over its cap: OVER and parked (CSCHED_FLAG_UNIT_PARKED, bit 0) besides pinned
    expect(active.find((l) => l.includes(`[${b}.0]`))).toMatch(new RegExp(`pri=${CSCHED_PRI_TS_OVER} flags=11 cpu=1 credit=-?\\d+ \\[w=256,cap=10\\]$`));
    // a parked unit waits on no runqueue and runs nowhere; the paused c is in no list at all
    const cpus = part.slice(part.indexOf('CPUs info:'));
    expect(cpus.some((l) => l.includes(`[${b}.0]`))).toBe(false);
    expect(part.some((l) => l.includes(`[${c}.0]`))).toBe(false);
    // nr_run counts the running unit and the queued ones
    for (const cpu of [1, 2]) {
      const at = cpus.findIndex((l) => l.startsWith(`CPU[0${cpu}] nr_run=`));
      expect(cpus[at - 1]).toBe(`CPU[0${cpu}] current=${pvOn(x, cpu)}, curr=${pvOn(x, cpu)}, prev=NULL`);
      const own = section(cpus, cpus[at]!, /^CPU\[/);
      expect(cpus[at]).toBe(`CPU[0${cpu}] nr_run=${own.length}, sibling={${cpu}}, core={0-2}`);
    }
  });

  it('follows the pool parameters, and dumping changes nothing', () => {
    const { x, pool } = scene();
    const twin = scene();
    x.hypercall({ op: 'sysctl.scheduler_op', poolId: pool, sched: 'credit', cmd: 'putinfo', params: { tsliceMs: 10 } });
    twin.x.hypercall({ op: 'sysctl.scheduler_op', poolId: pool, sched: 'credit', cmd: 'putinfo', params: { tsliceMs: 10 } });
    x.clock.runFor(MILLISECS(41));
    twin.x.clock.runFor(MILLISECS(41));
    const first = pressR(x);
    expect(poolPart(first, pool).slice(4, 14)).toEqual(SETTINGS(200, 2 * 512 + 256, 10));
    expect(pressR(x)).toEqual(first);
    x.clock.runFor(MILLISECS(17));
    twin.x.clock.runFor(MILLISECS(17));
    expect(pressR(x)).toEqual(pressR(twin.x));
  });
});
