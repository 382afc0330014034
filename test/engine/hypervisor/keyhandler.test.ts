import { describe, expect, it } from 'vitest';
import { findPreset } from '../../../engine/hypervisor/host-presets';
import { pbl } from '../../../engine/hypervisor/keyhandler';
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

  it("'r' dumps the online and free CPUs, then each pool through its scheduler's dump hook", () => {
    const x = boot();
    x.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: 0, cpus: [6, 7] });
    x.hypercall({ op: 'sysctl.cpupool_op.create', name: 'rt', sched: 'rtds', cpus: [7] });
    const out = pressed(x, 'r');
    expect(out.slice(0, 4)).toEqual(['sched_smt_power_savings: disabled', `NOW=${x.clock.now}`, 'Online Cpus: 0-7', 'Free Cpus: 6']);
    expect(out).toContain('CPU[06] current=d[IDLE]v6, curr=d[IDLE]v6, prev=(NULL)');
    const p0 = out.indexOf('Cpupool 0:');
    expect(out.slice(p0, p0 + 4)).toEqual(['Cpupool 0:', 'Cpus: 0-5', 'Scheduling granularity: cpu, 1 CPU per sched-resource', 'Scheduler: SMP Credit Scheduler rev2 (credit2)']);
    const p1 = out.findIndex((l) => /^Cpupool [1-9]\d*:$/.test(l));
    expect(out.slice(p1 + 1, p1 + 4)).toEqual(['Cpus: 7', 'Scheduling granularity: cpu, 1 CPU per sched-resource', 'Scheduler: SMP RTDS Scheduler (rtds)']);
  });

  it("formats cpumasks as Xen's %*pbl", () => {
    expect(pbl([0, 1, 2, 3, 5, 7, 8])).toBe('0-3,5,7-8');
    expect(pbl([])).toBe('');
  });
});
