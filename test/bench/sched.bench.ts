/**
 * `npm run bench -- sched`: the scheduling engine's speed, per scheduler, on
 * (a) 64 pCPUs with 256 vCPUs of mixed workloads and (b) 4096 pCPUs with 16,384 vCPUs.
 * Prints `key: value` lines per case and scheduler: events_per_s (scheduling events —
 * schedule() calls, wake-ups, sleeps — per second of this process's CPU time: the loop is
 * single-threaded, and CPU time keeps the figure meaningful on a shared machine),
 * events_per_wall_s, sim_to_wall (simulated seconds per wall second) and sim_to_cpu, and
 * what the mix saw (utilisation, wake-up latency). Issue 4 targets: ≥ 3M events/s,
 * (a) ≥ 10× real time, (b) ≥ real time. SCHED_BENCH=credit2,credit picks schedulers.
 * SCHED_BENCH_SIM_MS=N runs every case for exactly N simulated ms instead of a wall-time
 * budget and prints metrics_hash, an FNV-1a hash of sim.sched_metrics with every pool,
 * domain, pCPU and vCPU: a speed change to the loop must leave it identical.
 *
 * The timed run is the host's steady state: it starts after STARTUP simulated seconds,
 * whose figures are printed apart (startup_*). Every domain of a case is created at the
 * same instant, when every credit2 runqueue's load average is still 0 (Xen allocates
 * them zeroed), and they take about two of credit2's load windows (2^30 ns each:
 * opt_load_window_shift) to settle; meanwhile its balance_load keeps moving units: on
 * case (b) 20,000-57,000 migrations per simulated second in the first second, under 1,000
 * after two, and 2.9M events per simulated second against the 2.29M it then keeps
 * (measured to 20 s). credit, RTDS and null are steady after a
 * few tens of ms; they get the same start-up, so the cases stay alike.
 */
import { Xen } from '../../engine/hypervisor/xen';
import { MILLISECS, SECONDS } from '../../engine/hypervisor/clock';
import type { SchedulerName } from '../../engine/hypervisor/sched/scheduler';
import { SCHED_MIX } from '../fixtures/sched-mix';
import type { TopologySpec } from '../../engine/hypervisor/topology';
import { cpus, loadavg } from 'node:os';


interface Case {
  label: string;
  topology: TopologySpec;
  domains: number;
  vcpusPerDomain: number;
  wallMs: number;
}

const CASES: Case[] = [
  { label: '64pcpu_256vcpu', topology: { sockets: 2, coresPerSocket: 16, threadsPerCore: 2, memoryMiB: 256 * 1024, x2apic: false }, domains: 64, vcpusPerDomain: 4, wallMs: 2000 },
  { label: '4096pcpu_16384vcpu', topology: { sockets: 64, coresPerSocket: 32, threadsPerCore: 2, memoryMiB: 4096 * 1024, x2apic: true }, domains: 4096, vcpusPerDomain: 4, wallMs: 4000 },
];

/** Simulated ns before the timed run (see the header). */
const STARTUP = MILLISECS(3000);

/** FNV-1a (32-bit) of a string. */
const fnv1a = (str: string): string => {
  let h = 0x811c9dc5;
  for (let i = 0; i < str.length; i++) h = Math.imul(h ^ str.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
};
const simMs = process.env.SCHED_BENCH_SIM_MS ? Number(process.env.SCHED_BENCH_SIM_MS) : 0;
const wanted = (process.env.SCHED_BENCH ?? 'credit2,credit,rtds,null').split(',') as SchedulerName[];
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

console.log(`host_load_avg_1min: ${loadavg()[0]!.toFixed(2)}`);
console.log(`host_cpus: ${cpus().length}`);
for (const c of CASES) {
  for (const sched of wanted) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    const x = Xen.boot({ seed: 42, topology: c.topology, sched, dom0MaxVcpus: 4 });
    let i = 0;
    for (let d = 0; d < c.domains; d++) {
      const { domid } = x.hypercall({ op: 'domctl.createdomain', type: 'pvh', maxVcpus: c.vcpusPerDomain, name: `vm${d}` });
      for (let v = 0; v < c.vcpusPerDomain; v++) x.hypercall({ op: 'sim.set_workload', domid, vcpu: v, workload: SCHED_MIX[i++ % SCHED_MIX.length]! });
    }
    const tSetup = performance.now() - t0;
    const core = x.pools.core;
    const startW = performance.now();
    const startC = cpuSeconds();
    const startE = core.events;
    x.clock.runFor(STARTUP);
    const startCpu = cpuSeconds() - startC;
    const startWall = (performance.now() - startW) / 1000;
    const startEvents = core.events - startE;
    const e0 = core.events;
    const s0 = x.clock.now;
    const w0 = performance.now();
    const c0 = cpuSeconds();
    let wall = 0;
    if (simMs > 0) {
      for (let ms = 0; ms < simMs; ms += 5) x.clock.runFor(MILLISECS(Math.min(5, simMs - ms)));
      wall = performance.now() - w0;
    } else {
      while (wall < c.wallMs) {
        x.clock.runFor(MILLISECS(5));
        wall = performance.now() - w0;
      }
    }
    const cpu = cpuSeconds() - c0;
    const events = core.events - e0;
    const sim = (x.clock.now - s0) / SECONDS(1);
    const m = x.hypercall({ op: 'sim.sched_metrics' });
    const p0 = m.pools[0]!;
    const p = `${c.label}.${sched}`;
    console.log(`${p}.setup_ms: ${tSetup.toFixed(0)}`);
    console.log(`${p}.startup_events_per_s: ${Math.round(startEvents / startCpu)}`);
    console.log(`${p}.startup_events_per_sim_s: ${Math.round(startEvents / (STARTUP / SECONDS(1)))}`);
    console.log(`${p}.startup_sim_to_wall: ${(STARTUP / SECONDS(1) / startWall).toFixed(3)}`);
    console.log(`${p}.events_per_s: ${Math.round(events / cpu)}`);
    console.log(`${p}.events_per_wall_s: ${Math.round(events / (wall / 1000))}`);
    console.log(`${p}.events_per_sim_s: ${Math.round(events / sim)}`);
    console.log(`${p}.sim_to_wall: ${(sim / (wall / 1000)).toFixed(3)}`);
    console.log(`${p}.sim_to_cpu: ${(sim / cpu).toFixed(3)}`);
    console.log(`${p}.simulated_s: ${sim.toFixed(3)}`);
    console.log(`${p}.utilisation: ${p0.utilisation.toFixed(3)}`);
    console.log(`${p}.wake_latency_p50_us: ${(p0.wakeLatency.p50 / 1000).toFixed(1)}`);
    console.log(`${p}.wake_latency_p99_us: ${(p0.wakeLatency.p99 / 1000).toFixed(1)}`);
    console.log(`${p}.rt_job_misses: ${p0.jobMisses}`);
    if (simMs > 0) console.log(`${p}.metrics_hash: ${fnv1a(JSON.stringify(x.hypercall({ op: 'sim.sched_metrics', pcpus: true, vcpus: true })))}`);
  }
}
