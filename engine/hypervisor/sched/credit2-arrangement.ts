/**
 * How credit2 groups pCPUs into runqueues: Xen's credit2_runqueue=cpu|core|socket|node|all
 * boot option (default socket) and sched_credit2_max_cpus_runqueue= (default 16,
 * MAX_CPUS_RUNQ), which credit2.c applies in cpu_add_to_runqueue() through
 * cpu_runqueue_match() and, under the cap, cpu_runqueue_siblings_match() (hyperthread
 * siblings stay in one runqueue).
 *
 * Here a pCPU's runqueue is named by a key computed from the topology alone: the group
 * of its kind, split evenly on core boundaries into ceil(group / cap) parts. Xen decides
 * as each pCPU comes up: cpu_add_to_runqueue() evens the cap out over the pool's pCPUs
 * (min_rqs = ceil(nr_cpus / opt_max_cpus_runqueue), max_cpus_runq = nr_cpus / min_rqs)
 * and puts the pCPU in the first matching runqueue with room for it and its siblings
 * (refcnt < max_cpus_runq). This static split per group is the engine's simpler rule. It
 * gives Xen's groups where each group's size is a multiple of the cap (the benchmarks'
 * 64-thread sockets under 16); elsewhere they can differ: two 24-thread sockets under 16
 * are 12 + 12 each here, 16 + 8 each in Xen (max_cpus_runq = 48 / 3), and with an odd cap
 * and two threads a core one part here can hold a core more than the cap, which Xen's
 * refcnt test does not allow.
 */
import type { Topology } from '../topology';

export type Credit2RunqueueKind = 'cpu' | 'core' | 'socket' | 'node' | 'all';

/** sched_credit2_max_cpus_runqueue's default (MAX_CPUS_RUNQ in credit2.c). */
export const MAX_CPUS_RUNQ = 16;

/** The key of the runqueue `cpu` belongs to: the topology group, split evenly under the cap. */
export function runqueueKey(topo: Topology, kind: Credit2RunqueueKind, maxCpusRunqueue: number, cpu: number): string {
  const t = topo;
  let group: number[];
  let key: string;
  switch (kind) {
    case 'cpu':
      return `cpu${cpu}`;
    case 'core':
      return `core${t.cpuSocket[cpu]}.${t.cpuCore[cpu]}`;
    case 'socket': {
      const s = t.cpuSocket[cpu]!;
      const per = t.coresPerSocket * t.threadsPerCore;
      group = [s * per, per];
      key = `socket${s}`;
      break;
    }
    case 'node': {
      const n = t.cpuNode[cpu]!;
      const per = (t.sockets / t.nrNodes) * t.coresPerSocket * t.threadsPerCore;
      group = [n * per, per];
      key = `node${n}`;
      break;
    }
    case 'all':
      group = [0, t.nrCpus];
      key = 'all';
      break;
  }
  const [first, size] = group as [number, number];
  const nrq = Math.ceil(size / maxCpusRunqueue);
  if (nrq <= 1) return key;
  // keep hyperthread siblings together: split on core boundaries
  const thr = t.threadsPerCore;
  const cores = size / thr;
  const coreRank = Math.floor((cpu - first) / thr);
  return `${key}.${Math.floor((coreRank * nrq) / cores)}`;
}

/**
 * cpu_add_to_runqueue(): the list of runqueues is kept in id order and a new one takes
 * the first unused id, at that place in the list (balance_load walks it). Returns that
 * id, which is also the index to insert the new runqueue at.
 */
export function firstUnusedRunqueueId(rqs: readonly { readonly id: number }[]): number {
  let at = 0;
  while (at < rqs.length && rqs[at]!.id === at) at++;
  return at;
}
