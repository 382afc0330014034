import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import type { Xen } from '../../../../engine/hypervisor/xen';
import { poolPart, pressR, section } from './dump-helpers';
import { boot, guest, poolOn, topo } from './helpers';

/**
 * An RTDS pool on pCPUs 1-2: domain a (2 CPU-bound vCPUs, Xen's default 4 ms / 10 ms with
 * extratime), b (1 CPU-bound vCPU, 2 ms / 10 ms, no extratime) and c (1 vCPU, paused, hard
 * affinity 0 and 2: only 2 is in the pool).
 */
function scene(): { x: Xen; pool: number; a: number; b: number; c: number } {
  const x = boot('credit2', topo(1, 3));
  const pool = poolOn(x, 'rt', 'rtds', [1, 2]);
  const a = guest(x, 'a', { pool, vcpus: 2, workload: { kind: 'cpu' } });
  const b = guest(x, 'b', { pool, workload: { kind: 'cpu' } });
  x.hypercall({ op: 'domctl.scheduler_op', domid: b, sched: 'rtds', cmd: 'putvcpuinfo', vcpus: [{ vcpu: 0, period: 10000, budget: 2000, extratime: false }] });
  const c = guest(x, 'c', { pool, workload: { kind: 'cpu' } });
  x.hypercall({ op: 'domctl.pausedomain', domid: c });
  x.hypercall({ op: 'domctl.setvcpuaffinity', domid: c, vcpu: 0, hard: [0, 2] });
  x.clock.runFor(0);
  return { x, pool, a, b, c };
}

/** rt_dump_unit()'s three lines ("[%5d.%-2u] ..."). */
function unit(d: number, v: number, o: { cpu: number; budget: number; curB: number; curD: number; start: number; level: number; extra: boolean; onQ: boolean; runnable: boolean; flags: number; hard: string }): string[] {
  return [
    `[${String(d).padStart(5)}.${String(v).padEnd(2)}] cpu ${o.cpu}, (10000000, ${o.budget}), cur_b=${o.curB} cur_d=${o.curD} last_start=${o.start}`,
    ` \t\t priority_level=${o.level} has_extratime=${o.extra ? 1 : 0}`,
    ` \t\t onQ=${o.onQ ? 1 : 0} runnable=${o.runnable ? 1 : 0} flags=${o.flags.toString(16)} effective hard_affinity=${o.hard}`,
  ];
}

describe("RTDS's debug-key 'r' (rt_dump, rt_dump_pcpu, rt_dump_unit of Xen 4.17)", () => {
  it('prints the run, depleted and replenishment queues, every unit by domain, and each pCPU with the unit it runs', () => {
    const { x, pool, a, b, c } = scene();
    // rt_unit_insert() at 0 gave every unit its first deadline (one period) and full budget.
    // a's units run (RTDS_scheduled 0x2 | RTDS_extratime 0x10); b waits on the run queue;
    // c is paused: not runnable, on no queue, its effective affinity the pool's part of {0,2}.
    // b's 2 ms budget, set after that, applies from its first refill: rt_dom_cntl()
    // leaves cur_budget as it is
    const ns = MILLISECS;
    const base = { curD: ns(10), start: 0, level: 0, hard: '1-2' };
    const a0 = unit(a, 0, { ...base, cpu: 1, budget: ns(4), curB: ns(4), extra: true, onQ: false, runnable: true, flags: 0x12 });
    const a1 = unit(a, 1, { ...base, cpu: 2, budget: ns(4), curB: ns(4), extra: true, onQ: false, runnable: true, flags: 0x12 });
    const b0 = unit(b, 0, { ...base, cpu: 1, budget: ns(2), curB: ns(4), extra: false, onQ: true, runnable: true, flags: 0 });
    const c0 = unit(c, 0, { ...base, cpu: 2, budget: ns(4), curB: ns(4), extra: true, onQ: false, runnable: false, flags: 0x10, hard: '2' });
    expect(poolPart(pressR(x), pool)).toEqual([
      `Cpupool ${pool}:`,
      'Cpus: 1-2',
      'Scheduling granularity: cpu, 1 CPU per sched-resource',
      'Scheduler: SMP RTDS Scheduler (rtds)',
      'Global RunQueue info:',
      ...b0,
      'Global DepletedQueue info:',
      'Global Replenishment Events info:',
      ...a0,
      ...a1,
      ...b0,
      'Domain info:',
      `\tdomain: ${a}`,
      ...a0,
      ...a1,
      `\tdomain: ${b}`,
      ...b0,
      `\tdomain: ${c}`,
      ...c0,
      'CPUs info:',
      `CPU[01] current=d${a}v0, curr=d${a}v0, prev=NULL`,
      'CPU[01]',
      ...a0,
      `CPU[02] current=d${a}v1, curr=d${a}v1, prev=NULL`,
      'CPU[02]',
      ...a1,
    ]);
  });

  it('shows a depleted unit on the depleted queue and extratime units refilled at the next priority level', () => {
    const { x, pool, a, b } = scene();
    // (the budgets set after rt_unit_insert() apply from the first refill, at 10 ms:
    // rt_dom_cntl() leaves cur_budget as it is)
    x.clock.runFor(MILLISECS(17));
    const part = poolPart(pressR(x), pool);
    expect(section(part, 'Global RunQueue info:', /^Global DepletedQueue info:$/)).toEqual([]);
    // b ran its 2 ms (RTDS_depleted 0x8) and waits for its replenishment at its deadline
    const depleted = section(part, 'Global DepletedQueue info:', /^Global Replenishment Events info:$/);
    expect(depleted).toHaveLength(3);
    expect(depleted[0]).toMatch(new RegExp(`^\\[ {4}${b}\\.0 \\] cpu [12], \\(10000000, 2000000\\), cur_b=0 cur_d=20000000 last_start=\\d+$`));
    expect(depleted.slice(1)).toEqual([' \t\t priority_level=0 has_extratime=0', ' \t\t onQ=1 runnable=1 flags=8 effective hard_affinity=1-2']);
    // burn_budget(): an extratime unit out of budget goes up a level with a full budget,
    // its deadline unchanged
    const dom = section(part, `\tdomain: ${a}`, /^\tdomain: /);
    expect(dom.filter((l, i) => i % 3 === 0).map((l) => l.replace(/cpu \d, |last_start=\d+/g, ''))).toEqual([
      `[    ${a}.0 ] (10000000, 4000000), cur_b=4000000 cur_d=20000000 `,
      `[    ${a}.1 ] (10000000, 4000000), cur_b=4000000 cur_d=20000000 `,
    ]);
    expect(dom.filter((l, i) => i % 3 === 1)).toEqual([' \t\t priority_level=1 has_extratime=1', ' \t\t priority_level=1 has_extratime=1']);
  });

  it('lists the depleted queue last depleted first, as runq_insert() adds to its head', () => {
    const x = boot('credit2', topo(1, 3));
    const pool = poolOn(x, 'rt', 'rtds', [1, 2]);
    const d = guest(x, 'd', { pool, vcpus: 2, workload: { kind: 'cpu' } });
    // from the first refill (10 ms; until then both have the 4 ms rt_unit_insert() gave
    // them) vCPU 0 runs out after 1 ms, vCPU 1 after 2 ms; neither may run on extratime
    x.hypercall({
      op: 'domctl.scheduler_op',
      domid: d,
      sched: 'rtds',
      cmd: 'putvcpuinfo',
      vcpus: [
        { vcpu: 0, period: 10000, budget: 1000, extratime: false },
        { vcpu: 1, period: 10000, budget: 2000, extratime: false },
      ],
    });
    x.clock.runFor(MILLISECS(13));
    const depleted = section(poolPart(pressR(x), pool), 'Global DepletedQueue info:', /^Global Replenishment Events info:$/);
    expect(depleted.filter((l) => l.startsWith('[')).map((l) => l.slice(0, l.indexOf(']') + 1))).toEqual([`[    ${d}.1 ]`, `[    ${d}.0 ]`]);
  });

  it('prints no queue or domain while the pool has no domain, only its pCPUs', () => {
    const x = boot('credit2', topo(1, 3));
    const pool = poolOn(x, 'empty', 'rtds', [2]);
    expect(poolPart(pressR(x), pool).slice(3)).toEqual(['Scheduler: SMP RTDS Scheduler (rtds)', 'CPUs info:', 'CPU[02] current=d[IDLE]v2, curr=d[IDLE]v2, prev=NULL', 'CPU[02]']);
  });

  it('changes nothing by dumping', () => {
    const { x } = scene();
    const twin = scene();
    x.clock.runFor(MILLISECS(23));
    twin.x.clock.runFor(MILLISECS(23));
    const first = pressR(x);
    expect(pressR(x)).toEqual(first);
    x.clock.runFor(MILLISECS(9));
    twin.x.clock.runFor(MILLISECS(9));
    expect(pressR(x)).toEqual(pressR(twin.x));
  });
});
