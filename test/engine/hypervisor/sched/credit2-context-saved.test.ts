import { describe, expect, it } from 'vitest';
import { SECONDS } from '../../../../engine/hypervisor/clock';
import { boot, cpuTime, guest, run, topo } from './helpers';

describe('credit2 context_saved', () => {
  // csched2_context_saved() puts a still-runnable outgoing unit back on its runqueue
  // with runq_insert() and then runq_tickle(): an idle pCPU of the runqueue takes it at
  // once. Here A is pinned to pCPU 0 and B may run anywhere; C's bursts keep pCPU 1 busy
  // now and then. When A preempts B on pCPU 0 while pCPU 1 idles, B must move there,
  // not wait for A's slice to end.
  it('a preempted unit that may run on an idle pCPU of its runqueue runs there', () => {
    const x = boot('credit2', topo(1, 2));
    const a = guest(x, 'a', { workload: { kind: 'cpu' } });
    x.hypercall({ op: 'domctl.setvcpuaffinity', domid: a, vcpu: 0, hard: [0] });
    const b = guest(x, 'b', { workload: { kind: 'cpu' } });
    const c = guest(x, 'c', { workload: { kind: 'io', burnUs: 2000, blockUs: 20000 } });
    run(x, 1);
    const before = [0, a, b, c].map((d) => cpuTime(x, d));
    run(x, 4);
    const used = [0, a, b, c].map((d, i) => cpuTime(x, d) - before[i]!);
    const total = used.reduce((s, t) => s + t, 0);
    // two CPU-bound vCPUs, one of them free to go anywhere: the pCPUs hardly idle (1.94
    // without context_saved's runq_tickle). Not quite never: when c wakes on B's pCPU,
    // runq_tickle preempts B there at once (c's processor first), B's own runq_tickle may
    // then preempt A on pCPU 0, and once c blocks, pCPU 1 idles until B's slice ends,
    // as in Xen 4.17, where nothing pulls a running unit to an idle pCPU.
    expect(total / SECONDS(4)).toBeGreaterThan(1.975);
  });
});
