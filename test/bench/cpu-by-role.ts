import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system, /proc/PID/stat) of the bench's processes by role: the served
 * console and its children, Chromium's renderer (and, of it, its main thread: the page's JS,
 * xterm, style/layout/paint), its GPU process, its other processes, and this driver process
 * (Chromium is its child with either driver). What a run cost each, whatever else loads the machine (elapsed times change more with it).
 */
export type Cpu = Record<'server' | 'renderer' | 'page_main_thread' | 'gpu' | 'browser_other' | 'driver', number>;
export function cpuByRole(serverPid: number): Cpu {
  const ticks = (path: string): number => {
    const f = readFileSync(path, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  };
  const procs = new Map<number, { ppid: number; ticks: number; main: number; type: string }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(f.slice(f.lastIndexOf(')') + 2).split(' ')[1]);
      const type = /--type=([\w-]+)/.exec(readFileSync(`/proc/${d}/cmdline`, 'utf8'))?.[1] ?? '';
      procs.set(Number(d), { ppid, ticks: ticks(`/proc/${d}/stat`), main: ticks(`/proc/${d}/task/${d}/stat`), type });
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number, root: number): boolean => {
    for (let p = pid; p > 1; p = procs.get(p)?.ppid ?? 0) if (p === root) return true;
    return false;
  };
  const cpu: Cpu = { server: 0, renderer: 0, page_main_thread: 0, gpu: 0, browser_other: 0, driver: 0 };
  for (const [pid, p] of procs) {
    if (!under(pid, process.pid)) continue;
    if (under(pid, serverPid)) cpu.server += p.ticks;
    else if (pid === process.pid) cpu.driver += p.ticks;
    else if (p.type === 'renderer') {
      cpu.renderer += p.ticks;
      cpu.page_main_thread += p.main;
    }
    else if (p.type === 'gpu-process') cpu.gpu += p.ticks;
    else cpu.browser_other += p.ticks;
  }
  for (const k of Object.keys(cpu) as (keyof Cpu)[]) cpu[k] /= 100;
  return cpu;
}
