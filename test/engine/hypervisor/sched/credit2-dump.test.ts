import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import { CSCHED2_CREDIT_INIT, LOADAVG_PRECISION_SHIFT, type Credit2Scheduler } from '../../../../engine/hypervisor/sched/credit2';
import type { Xen } from '../../../../engine/hypervisor/xen';
import { poolPart, pressR, pvOn, section } from './dump-helpers';
import { boot, guest, poolOn, topo } from './helpers';

/**
 * A credit2 pool on pCPUs 1-2: domain a (2 CPU-bound vCPUs, weight 512), b (1 CPU-bound
 * vCPU, cap 10 %: 1 ms of budget a 10 ms period) and c (1 vCPU pinned to pCPU 2, paused).
 */
function scene(): { x: Xen; pool: number; a: number; b: number; c: number } {
  const x = boot('credit2', topo(1, 3));
  const pool = poolOn(x, 'c2', 'credit2', [1, 2]);
  const a = guest(x, 'a', { pool, vcpus: 2, workload: { kind: 'cpu' } });
  x.hypercall({ op: 'domctl.scheduler_op', domid: a, sched: 'credit2', cmd: 'putinfo', params: { weight: 512 } });
  const b = guest(x, 'b', { pool, workload: { kind: 'cpu' } });
  x.hypercall({ op: 'domctl.scheduler_op', domid: b, sched: 'credit2', cmd: 'putinfo', params: { cap: 10 } });
  const c = guest(x, 'c', { pool, workload: { kind: 'cpu' } });
  x.hypercall({ op: 'domctl.pausedomain', domid: c });
  x.hypercall({ op: 'domctl.setvcpuaffinity', domid: c, vcpu: 0, hard: [2] });
  x.clock.runFor(0);
  return { x, pool, a, b, c };
}

const pct = (avgload: number): number => Math.floor((avgload * 100) / 2 ** LOADAVG_PRECISION_SHIFT);

describe("credit2's debug-key 'r' (csched2_dump, dump_pcpu, csched2_dump_unit of Xen 4.17)", () => {
  it('prints the runqueue, every unit by domain, the runqueue pCPUs and waiting units, then the core lines', () => {
    const { x, pool, a, b, c } = scene();
    const half = 2 ** (LOADAVG_PRECISION_SHIFT - 1);
    // csched2_alloc_udata(): credit CSCHED2_CREDIT_INIT and a starting load of 50 %;
    // nothing has run yet, so the runqueue's average is still 0 while 3 units want to run.
    // a's units run (CSFLAG_scheduled, 0x2); b waits with its quota of 1 ms and no budget
    // grabbed yet; c is paused and pinned (CSFLAG_pinned, 0x20: one pCPU of hard affinity).
    const unit = (d: number, v: number, flags: number, cpu: number, w: number, extra = ''): string =>
      `[${d}.${v}] flags=${flags.toString(16)} cpu=${cpu} credit=${CSCHED2_CREDIT_INIT} [w=${w}]${extra} load=${half} (~50%)`;
    const a0 = unit(a, 0, 2, 2, 512);
    const a1 = unit(a, 1, 2, 1, 512);
    const b0 = unit(b, 0, 0, 2, 256, ' budget=0(1000000)');
    expect(poolPart(pressR(x), pool)).toEqual([
      `Cpupool ${pool}:`,
      'Cpus: 1-2',
      'Scheduling granularity: cpu, 1 CPU per sched-resource',
      'Scheduler: SMP Credit Scheduler rev2 (credit2)',
      'Active queues: 1',
      '\tdefault-weight     = 256',
      'Runqueue 0:',
      '\tncpus              = 2',
      '\tcpus               = 1-2',
      '\tmax_weight         = 512',
      '\tpick_bias          = 2',
      '\tinstload           = 3',
      '\taveload            = 0 (~0%)',
      // %*pb over nr_cpu_ids = 3 bits: one hex digit
      '\tidlers: 0',
      '\ttickled: 0',
      '\tfully idle cores: 0',
      'Domain info:',
      `\tDomain: ${a} w 512 c 0 v 2`,
      `\t  1: ${a0}`,
      `\t  2: ${a1}`,
      `\tDomain: ${b} w 256 c 10 v 1`,
      `\t  3: ${b0}`,
      `\tDomain: ${c} w 256 c 0 v 1`,
      `\t  4: ${unit(c, 0, 0x20, 2, 256)}`,
      'Runqueue 0:',
      'CPU[01] runq=0, sibling={1}, core={0-2}',
      `\trun: ${a1}`,
      'CPU[02] runq=0, sibling={2}, core={0-2}',
      `\trun: ${a0}`,
      'RUNQ:',
      `\t  0: ${b0}`,
      // credit2 has no dump_cpu_state: the core's lines only
      'CPUs info:',
      `CPU[01] current=d${a}v1, curr=d${a}v1, prev=NULL`,
      `CPU[02] current=d${a}v0, curr=d${a}v0, prev=NULL`,
    ]);
  });

  it('prints credits burnt, the budget of a running capped unit, and a parked unit on no list', () => {
    const { x, pool, a, b } = scene();
    x.clock.runFor(MILLISECS(1));
    let part = poolPart(pressR(x), pool);
    const dom = section(part, 'Domain info:', /^Runqueue/);
    // a's units ran 1 ms at the runqueue's max weight: 1 ns of credit per ns
    expect(dom.filter((l) => l.includes(`[${a}.`)).map((l) => /credit=(\d+)/.exec(l)![1])).toContain(String(CSCHED2_CREDIT_INIT - MILLISECS(1)));
    // b runs now, with the 1 ms it grabbed from its domain (unit_grab_budget)
    const bLine = dom.find((l) => l.includes(`[${b}.0]`))!;
    expect(bLine).toMatch(/\] flags=2 cpu=\d credit=\d+ \[w=256\] budget=1000000\(1000000\) load=/);
    expect(part).toContain(`\trun: ${bLine.replace(/^\t {2}\d: /, '')}`);

    // after 20 ms b has used its budget and is parked: not running and not waiting
    x.clock.runFor(MILLISECS(20));
    part = poolPart(pressR(x), pool);
    expect(part.filter((l) => l.includes(`[${b}.0]`))).toEqual([expect.stringMatching(/^\t {2}3: \[\d+\.0\] flags=0 cpu=\d credit=-?\d+ \[w=256\] budget=0\(1000000\) load=\d+ \(~\d+%\)$/)]);
    expect(section(part, 'RUNQ:', /^CPUs info:$/)).toEqual([]);
    for (const c of [1, 2]) expect(part).toContain(`CPU[0${c}] current=${pvOn(x, c)}, curr=${pvOn(x, c)}, prev=NULL`);
  });

  it("prints loads as stored, (avgload * 100) >> load_precision_shift percent, and dumping changes nothing", () => {
    const { x, pool } = scene();
    const twin = scene();
    x.clock.runFor(MILLISECS(37));
    twin.x.clock.runFor(MILLISECS(37));
    const first = pressR(x);
    // Xen's csched2_dump() calls no update_runq_load(): a second dump at the same instant
    // prints the same averages, and a host that dumped goes on exactly like one that did not
    expect(pressR(x)).toEqual(first);
    const s = x.pools.pool(pool).sched as Credit2Scheduler;
    const rq = s.runqueues()[0]!;
    const avg = rq.avgload * 2 ** LOADAVG_PRECISION_SHIFT;
    expect(poolPart(first, pool)).toContain(`\taveload            = ${Math.trunc(avg)} (~${pct(Math.trunc(avg))}%)`);
    for (const l of poolPart(first, pool).filter((l) => / load=/.test(l))) {
      const [, load, p] = / load=(\d+) \(~(\d+)%\)$/.exec(l)!;
      expect(Number(p)).toBe(pct(Number(load)));
    }
    x.clock.runFor(MILLISECS(13));
    twin.x.clock.runFor(MILLISECS(13));
    expect(pressR(x)).toEqual(pressR(twin.x));
  });

  it('shows idle pCPUs and fully idle cores as %*pb masks, and each pCPU with its SMT siblings', () => {
    // two cores of two threads: pCPUs 0-1 and 2-3; the pool has core 1
    const x = boot('credit2', topo(1, 2, 2));
    const pool = poolOn(x, 'smt', 'credit2', [2, 3]);
    x.clock.runFor(0);
    let part = poolPart(pressR(x), pool);
    expect(section(part, '\taveload            = 0 (~0%)', /^Domain info:$/)).toEqual(['\tidlers: c', '\ttickled: 0', '\tfully idle cores: c']);
    expect(part).toContain('CPU[02] runq=0, sibling={2-3}, core={0-3}');
    const d = guest(x, 'busy', { pool, workload: { kind: 'cpu' } });
    x.clock.runFor(MILLISECS(1));
    part = poolPart(pressR(x), pool);
    const busy = [2, 3].find((c) => pvOn(x, c) === `d${d}v0`)!;
    // the busy thread's core is no longer fully idle; its sibling is still an idler
    expect(section(part, '\tinstload           = 1', /^Domain info:$/).slice(1)).toEqual([`\tidlers: ${(1 << (5 - busy)).toString(16)}`, '\ttickled: 0', '\tfully idle cores: 0']);
  });
});
