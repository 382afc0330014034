import { describe, expect, it } from 'vitest';
import { findPreset } from '../../../engine/hypervisor/host-presets';
import { pbl } from '../../../engine/hypervisor/keyhandler';
import { pb } from '../../../engine/hypervisor/sched/dump-format';
import { Xen } from '../../../engine/hypervisor/xen';

const boot = (): Xen => Xen.boot({ seed: 7, topology: findPreset('small-lab')!.topology, dom0MemMiB: 1024 });

/** What the keys printed: the console ring's text after `mark`, without the "(XEN) " prefixes. */
function pressed(x: Xen, keys: string): string[] {
  const mark = x.conring.end;
  x.hypercall({ op: 'sysctl.debug_keys', keys });
  return x.conring.read({ from: mark }).text.split('\n').filter((l) => l !== '').map((l) => l.replace(/^\(XEN\) /, ''));
}

describe('XEN_SYSCTL_debug_keys: keyhandler.c into the console ring', () => {
  it("'h' lists the installed handlers in ASCII order with their hex codes, as show_handlers()", () => {
    expect(pressed(boot(), 'h')).toEqual([
      "'h' pressed -> showing installed handlers",
      " key 'h' (ascii '68') => show this message",
      " key 'q' (ascii '71') => dump domain (and guest debug) info",
      " key 'r' (ascii '72') => dump run queues",
    ]);
  });

  it('a key with no handler prints nothing, as handle_keypress() ignores it; keys run in order', () => {
    const x = boot();
    expect(pressed(x, 'Z')).toEqual([]);
    const out = pressed(x, 'ZhZh');
    expect(out.filter((l) => l.startsWith("'h' pressed"))).toHaveLength(2);
  });

  it("'q' dumps each domain and its vCPUs from the domain and vCPU state", () => {
    const x = boot();
    const { domid, uuid } = x.hypercall({ op: 'domctl.createdomain', type: 'pv', maxVcpus: 2, name: 'vm1' });
    x.hypercall({ op: 'domctl.pausedomain', domid });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid, vcpu: 1, hard: [2, 3] });
    const out = pressed(x, 'q');
    expect(out[0]).toBe(`'q' pressed -> dumping domain info (now = ${x.clock.now})`);
    const at = out.indexOf(`General information for domain ${domid}:`);
    expect(at).toBeGreaterThan(0);
    expect(out.slice(at, at + 4)).toEqual([`General information for domain ${domid}:`, '    dying=0 pause_count=1', expect.stringMatching(/^ {4}nr_pages=0 max_pages=\d+$/), `    handle=${uuid}`]);
    expect(out).toContain('  UNIT1 affinities: hard={2-3} soft={0-7}');
    expect(out.filter((l) => /^ {4}VCPU\d: CPU\d+ \[has=[TF]\]$/.test(l))).toHaveLength(4 + 2);
  });

  it("'r' dumps the online and free CPUs, then each pool: granularity, scheduler dump and the core's line per pCPU", () => {
    const x = boot();
    x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 0, cpus: [6, 7] });
    const rt = x.hypercall({ op: 'sysctl.cpupool_op.create', name: 'rt', sched: 'rtds', cpus: [7] }).poolId;
    x.clock.runFor(0);
    const out = pressed(x, 'r');
    // dump_runq(): the free pCPU goes through schedule_dump(NULL), no "Scheduler:" line, and
    // credit2 (the boot scheduler) has no dump_cpu_state
    expect(out.slice(0, 7)).toEqual([
      'sched_smt_power_savings: disabled',
      `NOW=${x.clock.now}`,
      'Online Cpus: 0-7',
      'Free Cpus: 6',
      'CPUs info:',
      'CPU[06] current=d[IDLE]v6, curr=d[IDLE]v6, prev=NULL',
      'Cpupool 0:',
    ]);
    expect(out.slice(7, 11)).toEqual(['Cpus: 0-5', 'Scheduling granularity: cpu, 1 CPU per sched-resource', 'Scheduler: SMP Credit Scheduler rev2 (credit2)', 'Active queues: 1']);
    // schedule_dump(): after the scheduler's settings, each pCPU as the core has it
    const info = out.indexOf('CPUs info:', 7);
    const pv = (c: number): string => {
      const u = x.pools.core.curr(c);
      return u ? `d${u.domid}v${u.vcpuId}` : `d[IDLE]v${c}`;
    };
    expect(out.slice(info + 1, info + 7)).toEqual([0, 1, 2, 3, 4, 5].map((c) => `CPU[0${c}] current=${pv(c)}, curr=${pv(c)}, prev=NULL`));
    // the RTDS pool with no domain: rt_dump() prints nothing, rt_dump_pcpu() the pCPU only
    expect(out.slice(info + 7)).toEqual([`Cpupool ${rt}:`, 'Cpus: 7', 'Scheduling granularity: cpu, 1 CPU per sched-resource', 'Scheduler: SMP RTDS Scheduler (rtds)', 'CPUs info:', 'CPU[07] current=d[IDLE]v7, curr=d[IDLE]v7, prev=NULL', 'CPU[07]']);
  });

  it("'r' dumps a free pCPU through the boot scheduler's dump_cpu_state: RTDS prints the pCPU, credit and null nothing", () => {
    const free = (sched: 'rtds' | 'credit' | 'null'): string[] => {
      const x = Xen.boot({ seed: 7, topology: findPreset('small-lab')!.topology, dom0MemMiB: 1024, sched });
      x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 0, cpus: [5] });
      const out = pressed(x, 'r');
      return out.slice(out.indexOf('Free Cpus: 5'), out.indexOf('Cpupool 0:'));
    };
    const head = ['Free Cpus: 5', 'CPUs info:', 'CPU[05] current=d[IDLE]v5, curr=d[IDLE]v5, prev=NULL'];
    expect(free('rtds')).toEqual([...head, 'CPU[05]']);
    // Xen 4.17's csched_dump_pcpu() and null_dump_pcpu() would read the free pCPU's NULL
    // scheduler data: nothing is made up for it
    expect(free('credit')).toEqual(head);
    expect(free('null')).toEqual(head);
  });

  it("formats cpumasks as Xen's %*pbl", () => {
    expect(pbl([0, 1, 2, 3, 5, 7, 8])).toBe('0-3,5,7-8');
    expect(pbl([])).toBe('');
  });

  it("formats cpumasks as Xen's %*pb: 32-bit hex chunks over nr_cpu_ids bits, most significant first", () => {
    expect(pb([0, 1, 2, 3], 4)).toBe('f');
    expect(pb([2, 4], 8)).toBe('14');
    expect(pb([], 8)).toBe('00');
    expect(pb([0, 33, 39], 40)).toBe('82,00000001');
    expect(pb([31, 32], 64)).toBe('00000001,80000000');
  });
});
