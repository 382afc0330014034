/**
 * procps-ng top(1) in batch form (`top -b`), one frame per refresh: the summary area
 * (uptime, Tasks, %Cpu(s), MiB Mem/Swap) and the task area sorted by %CPU. The CPU
 * split comes from the vCPUs' runstates (vcpu_runstate_info): time running is us + sy,
 * time runnable or offline is steal (st) — what Linux's xen_steal_clock() reads — and
 * time blocked is idle, or iowait on a vCPU whose only work is waiting for I/O. As top
 * does, the first frame covers the time since boot and each later one the delay since
 * the frame before.
 */
import type { RunstateTimes } from '../hypervisor/sched/metrics';
import type { GuestHardware } from './guest-platform';
import { memoryFigures, uptime } from './proc-files';
import type { Task } from './tasks';

export interface TopOptions {
  batch: boolean;
  /** -n: frames to print (undefined: until interrupted). */
  iterations: number | undefined;
  /** -d: seconds between frames (default 3.0). */
  delayS: number;
}

export function parseTop(args: string[]): TopOptions | string {
  const o: TopOptions = { batch: false, iterations: undefined, delayS: 3 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^-([bnd])(.*)$/.exec(a);
    if (!m) return `top: unknown option '${a.replace(/^-/, '')}'\nUsage:\n  top -hv | -bcEeHiOSs1 -d secs -n max -u|U user -p pid(s) -o field -w [cols]\n`;
    if (m[1] === 'b') {
      o.batch = true;
      if (m[2]) args.splice(i + 1, 0, `-${m[2]}`);
      continue;
    }
    const v = m[2] || args[++i];
    const n = Number(v);
    if (m[1] === 'n') {
      if (!Number.isInteger(n) || n < 1) return `top: bad iterations argument '${v ?? ''}'\n`;
      o.iterations = n;
    } else {
      if (!Number.isFinite(n) || n < 0) return `top: bad delay interval '${v ?? ''}'\n`;
      o.delayS = n;
    }
  }
  return o;
}

/** Per-vCPU runstate times at one instant, and what each vCPU was doing. */
export interface CpuSample {
  runstates: RunstateTimes[];
  /** vCPUs whose only load is I/O waiting (their blocked time is iowait). */
  ioOnly: boolean[];
}

export interface CpuSplit {
  us: number;
  sy: number;
  id: number;
  wa: number;
  st: number;
}

/** Percentages between two samples (or since boot, when `before` is undefined). */
export function cpuSplit(before: CpuSample | undefined, after: CpuSample, userShare: number): CpuSplit {
  let run = 0;
  let steal = 0;
  let idle = 0;
  let wait = 0;
  after.runstates.forEach((r, v) => {
    const b = before?.runstates[v] ?? { running: 0, runnable: 0, blocked: 0, offline: 0 };
    run += r.running - b.running;
    steal += r.runnable - b.runnable + (r.offline - b.offline);
    const blocked = r.blocked - b.blocked;
    if (after.ioOnly[v]) wait += blocked;
    else idle += blocked;
  });
  const total = run + steal + idle + wait;
  if (total <= 0) return { us: 0, sy: 0, id: 100, wa: 0, st: 0 };
  const pct = (x: number): number => (100 * x) / total;
  return { us: pct(run * userShare), sy: pct(run * (1 - userShare)), id: pct(idle), wa: pct(wait), st: pct(steal) };
}

const f1 = (n: number, w: number): string => n.toFixed(1).padStart(w);

/** TIME+: minutes:seconds.hundredths. */
function timePlus(ns: number): string {
  const cs = Math.floor(ns / 1e7);
  const s = Math.floor(cs / 100);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}.${String(cs % 100).padStart(2, '0')}`;
}

export interface TopFrame {
  hw: GuestHardware;
  nowNs: number;
  uptimeNs: number;
  tasks: readonly Task[];
  /** %CPU of each task over the frame's interval (100 = one vCPU). */
  cpuPct: ReadonlyMap<number, number>;
  split: CpuSplit;
  load: [number, number, number];
}

export function topFrame(f: TopFrame): string {
  const up = uptime(f.nowNs, f.uptimeNs, f.load).trim().replace('0 users', '1 user');
  const running = f.tasks.filter((t) => t.state === 'R').length;
  const m = memoryFigures(f.hw);
  const mib = (k: number): string => f1(k / 1024, 9);
  const s = f.split;
  const rows = [...f.tasks].sort((a, b) => (f.cpuPct.get(b.pid) ?? 0) - (f.cpuPct.get(a.pid) ?? 0) || a.pid - b.pid);
  const totalKiB = m.total;
  const lines = [
    `top - ${up}`,
    `Tasks: ${String(f.tasks.length).padStart(3)} total, ${String(running).padStart(3)} running, ${String(f.tasks.length - running).padStart(3)} sleeping,   0 stopped,   0 zombie`,
    `%Cpu(s):${f1(s.us, 5)} us,${f1(s.sy, 5)} sy,  0.0 ni,${f1(s.id, 5)} id,${f1(s.wa, 5)} wa,  0.0 hi,  0.0 si,${f1(s.st, 5)} st`,
    `MiB Mem : ${mib(m.total)} total, ${mib(m.free)} free, ${mib(m.used)} used, ${mib(m.cache)} buff/cache`,
    `MiB Swap: ${mib(0)} total, ${mib(0)} free, ${mib(0)} used. ${mib(Math.max(0, m.available))} avail Mem`,
    '',
    '    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND',
    ...rows.map((t) => {
      const virt = t.kthread ? 0 : t.rssKiB * 3;
      const shr = t.kthread ? 0 : Math.floor(t.rssKiB * 0.8);
      const mem = totalKiB > 0 ? (100 * t.rssKiB) / totalKiB : 0;
      return `${String(t.pid).padStart(7)} root      20   0 ${String(virt).padStart(7)} ${String(t.rssKiB).padStart(6)} ${String(shr).padStart(6)} ${t.state} ${f1(f.cpuPct.get(t.pid) ?? 0, 5)} ${f1(mem, 5)} ${timePlus(t.cpuNs).padStart(9)} ${t.comm}`;
    }),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
