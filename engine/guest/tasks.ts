/**
 * The guest kernel's task list: every process and kernel thread with its pid, parent,
 * command name (task_struct.comm, 15 characters at most: TASK_COMM_LEN 16 with the NUL),
 * state and the CPU time it has used. `ps` and `top` read it, the shell adds and removes
 * the commands it runs, and the kernel memory image (./kernel-image.ts) writes it into
 * guest pages as a linked list of task records, so introspection can walk it.
 */
export type TaskState = 'R' | 'S' | 'D' | 'I';

export interface Task {
  pid: number;
  ppid: number;
  /** task_struct.comm: at most 15 characters. */
  comm: string;
  /** What ps prints: the command line, or [comm] for a kernel thread. */
  cmdline: string;
  kthread: boolean;
  state: TaskState;
  /** Simulated ns at which it started. */
  startNs: number;
  /** CPU ns it has used (user + system). */
  cpuNs: number;
  /** Resident set, KiB (what top shows as RES). */
  rssKiB: number;
}

/** TASK_COMM_LEN - 1. */
export const COMM_MAX = 15;

export class TaskList {
  private readonly tasks = new Map<number, Task>();
  private nextPid: number;
  private readonly listeners = new Set<() => void>();

  constructor(vcpus: number, firstUserPid: number) {
    const k = (pid: number, comm: string, ppid = 2): void => this.add({ pid, ppid, comm, cmdline: `[${comm}]`, kthread: true, state: 'I', startNs: 0, cpuNs: 0, rssKiB: 0 });
    this.add({ pid: 1, ppid: 0, comm: 'init', cmdline: 'init', kthread: false, state: 'S', startNs: 0, cpuNs: 0, rssKiB: 1180 });
    k(2, 'kthreadd', 0);
    k(3, 'rcu_gp');
    k(11, 'rcu_preempt');
    for (let i = 0; i < Math.min(vcpus, 16); i++) k(12 + i * 6, `ksoftirqd/${i}`);
    k(120, 'xenbus');
    k(121, 'xenwatch');
    k(122, 'xenbus_frontend');
    this.add({ pid: 179, ppid: 1, comm: 'syslogd', cmdline: '/sbin/syslogd -n', kthread: false, state: 'S', startNs: 0, cpuNs: 0, rssKiB: 1320 });
    this.add({ pid: 180, ppid: 1, comm: 'klogd', cmdline: '/sbin/klogd -n', kthread: false, state: 'S', startNs: 0, cpuNs: 0, rssKiB: 1290 });
    this.nextPid = firstUserPid;
  }

  /** The next pid spawn() gives (kept across a save / restore). */
  get nextPidValue(): number {
    return this.nextPid;
  }

  /** The list as a resumed kernel finds it in its memory (./resume-state.ts). */
  restore(tasks: readonly Task[], nextPid: number): void {
    this.tasks.clear();
    for (const t of tasks) this.add({ ...t });
    this.nextPid = nextPid;
    this.changed();
  }

  private add(t: Task): void {
    this.tasks.set(t.pid, t);
  }

  /** fork + exec: a new process, pid the next free one (pids only grow here: no wrap at pid_max). */
  spawn(cmdline: string, ppid: number, nowNs: number, rssKiB = 900): Task {
    const comm = (cmdline.split(/\s+/)[0] ?? '').replace(/^.*\//, '').slice(0, COMM_MAX);
    const t: Task = { pid: this.nextPid++, ppid, comm, cmdline, kthread: false, state: 'R', startNs: nowNs, cpuNs: 0, rssKiB };
    this.add(t);
    this.changed();
    return t;
  }

  exit(pid: number): void {
    if (this.tasks.delete(pid)) this.changed();
  }

  get(pid: number): Task | undefined {
    return this.tasks.get(pid);
  }

  /** In pid order, as /proc lists them. */
  list(): Task[] {
    return [...this.tasks.values()].sort((a, b) => a.pid - b.pid);
  }

  get size(): number {
    return this.tasks.size;
  }

  /** Something structural changed (a task started or exited): the kernel image rewrites its list. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }
}
