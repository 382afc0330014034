/**
 * How credit2 groups pCPUs into runqueues: Xen's credit2_runqueue=cpu|core|socket|node|all
 * boot option (default socket) and sched_credit2_max_cpus_runqueue= (default 16,
 * MAX_CPUS_RUNQ), as credit2.c's cpu_add_to_runqueue() applies them when a pCPU joins a
 * credit2 pool: the cap is evened out over the host's online pCPUs (min_rqs =
 * (nr_cpus - 1) / opt_max_cpus_runqueue + 1, max_cpus_runq = nr_cpus / min_rqs), and the
 * pCPU goes to a runqueue of its kind (cpu_runqueue_match: the same core, socket or node
 * as the runqueue's pick_bias; 'all' matches every one, 'cpu' none) — the one holding a
 * hyperthread sibling of it if any (siblings are never separated, even past the cap),
 * else the least full one with room for it and its siblings
 * (cpu_runqueue_siblings_match), else a new one. So two 24-thread sockets under 16 are
 * 16 + 8 pCPUs each, not 12 + 12: the order pCPUs come up in decides.
 */
import type { Topology } from '../topology';

export type Credit2RunqueueKind = 'cpu' | 'core' | 'socket' | 'node' | 'all';

/** sched_credit2_max_cpus_runqueue's default (MAX_CPUS_RUNQ in credit2.c). */
export const MAX_CPUS_RUNQ = 16;

/** What the choice reads of a runqueue (struct csched2_runqueue_data). */
export interface ArrangedRunq {
  /** rqd->active. */
  readonly cpus: readonly number[];
  readonly pickBias: number;
}

const sameCore = (t: Topology, a: number, b: number): boolean => t.cpuSocket[a] === t.cpuSocket[b] && t.cpuCore[a] === t.cpuCore[b];

/** cpu_runqueue_match(): `cpu` belongs with `peer` (the runqueue's pick_bias) by the topology. */
function runqueueMatch(t: Topology, kind: Credit2RunqueueKind, peer: number, cpu: number): boolean {
  switch (kind) {
    case 'all':
      return true;
    case 'core':
      return sameCore(t, peer, cpu);
    case 'socket':
      return t.cpuSocket[peer] === t.cpuSocket[cpu];
    case 'node':
      return t.cpuNode[peer] === t.cpuNode[cpu];
    case 'cpu':
      return false;
  }
}

/**
 * cpu_runqueue_siblings_match(): room in the runqueue for `cpu` and its siblings, counting
 * every pCPU already there with all its siblings (pCPUs of a core: cpu_nr_siblings()).
 */
function siblingsMatch(t: Topology, rq: ArrangedRunq, maxCpusRunq: number): boolean {
  const cores = new Set<number>();
  for (const c of rq.cpus) cores.add(t.cpuSocket[c]! * t.coresPerSocket + t.cpuCore[c]!);
  return (cores.size + 1) * t.threadsPerCore <= maxCpusRunq;
}

/**
 * cpu_add_to_runqueue()'s choice for `cpu` among the pool's runqueues `rqs` (in the list's
 * id order): the index of the one it joins, or -1 for a new runqueue.
 */
export function runqueueFor(t: Topology, kind: Credit2RunqueueKind, optMaxCpusRunqueue: number, cpu: number, rqs: readonly ArrangedRunq[]): number {
  const minRqs = Math.floor((t.nrCpus - 1) / optMaxCpusRunqueue) + 1;
  const maxCpusRunq = Math.floor(t.nrCpus / minRqs);
  let valid = -1;
  for (let k = 0; k < rqs.length; k++) {
    const rq = rqs[k]!;
    if (!runqueueMatch(t, kind, rq.pickBias, cpu)) continue;
    // a sibling is there: always together (Xen warns when that passes the cap)
    if (rq.cpus.some((c) => sameCore(t, c, cpu))) return k;
    if (rq.cpus.length < maxCpusRunq && (siblingsMatch(t, rq, maxCpusRunq) || kind === 'all')) {
      // the least full of those with room (the first of equals)
      if (valid < 0 || rq.cpus.length < rqs[valid]!.cpus.length) valid = k;
    }
  }
  return valid;
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
