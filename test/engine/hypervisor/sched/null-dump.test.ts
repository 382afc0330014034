import { describe, expect, it } from 'vitest';
import { MILLISECS } from '../../../../engine/hypervisor/clock';
import { poolPart, pressR } from './dump-helpers';
import { boot, guest, poolOn, topo } from './helpers';

describe("null's debug-key 'r' (null_dump, null_dump_pcpu, dump_unit of Xen 4.17)", () => {
  it('prints the free pCPUs, every unit with its pCPU (-1 while waiting), the wait queue, and each pCPU with its assigned and running unit', () => {
    const x = boot('credit2', topo(1, 4));
    const pool = poolOn(x, 'nl', 'null', [1, 2, 3]);
    const a = guest(x, 'a', { pool, vcpus: 2, workload: { kind: 'cpu' } });
    // p is assigned pCPU 3 but paused: the pCPU runs its idle unit
    const p = guest(x, 'p', { pool, workload: { kind: 'cpu' } });
    x.hypercall({ op: 'domctl.pausedomain', domid: p });
    // 25 vCPUs with no pCPU left: the wait queue, which null_dump() breaks before its 24th entry
    const w = guest(x, 'w', { pool, vcpus: 25, workload: { kind: 'cpu' } });
    x.clock.runFor(MILLISECS(1));
    const waiting = Array.from({ length: 25 }, (_, v) => v);
    expect(poolPart(pressR(x), pool)).toEqual([
      `Cpupool ${pool}:`,
      'Cpus: 1-3',
      'Scheduling granularity: cpu, 1 CPU per sched-resource',
      'Scheduler: null Scheduler (null)',
      // "\tcpus_free = %*pbl": nothing free
      '\tcpus_free = ',
      'Domain info:',
      `\tDomain: ${a}`,
      `\t  1: [${a}.0] pcpu=1`,
      `\t  2: [${a}.1] pcpu=2`,
      `\tDomain: ${p}`,
      `\t  3: [${p}.0] pcpu=3`,
      `\tDomain: ${w}`,
      ...waiting.map((v) => `\t${String(4 + v).padStart(3)}: [${w}.${v}] pcpu=-1`),
      `Waitqueue: ${waiting.slice(0, 23).map((v) => `d${w}v${v}, `).join('')}`,
      `\t${waiting.slice(23).map((v) => `d${w}v${v}`).join(', ')}`,
      'CPUs info:',
      `CPU[01] current=d${a}v0, curr=d${a}v0, prev=NULL`,
      `CPU[01] sibling={1}, core={0-3}, unit=d${a}v0`,
      `\trun: [${a}.0] pcpu=1`,
      `CPU[02] current=d${a}v1, curr=d${a}v1, prev=NULL`,
      `CPU[02] sibling={2}, core={0-3}, unit=d${a}v1`,
      `\trun: [${a}.1] pcpu=2`,
      'CPU[03] current=d[IDLE]v3, curr=d[IDLE]v3, prev=NULL',
      `CPU[03] sibling={3}, core={0-3}, unit=d${p}v0`,
    ]);
  });

  it('lists free pCPUs and an empty wait queue when there are more pCPUs than units', () => {
    const x = boot('credit2', topo(1, 4));
    const pool = poolOn(x, 'nl', 'null', [1, 2, 3]);
    const a = guest(x, 'a', { workload: { kind: 'cpu' }, pool });
    x.clock.runFor(MILLISECS(1));
    const part = poolPart(pressR(x), pool);
    expect(part.slice(4, 9)).toEqual(['\tcpus_free = 2-3', 'Domain info:', `\tDomain: ${a}`, `\t  1: [${a}.0] pcpu=1`, 'Waitqueue: ']);
    expect(part.slice(-2)).toEqual(['CPU[03] current=d[IDLE]v3, curr=d[IDLE]v3, prev=NULL', 'CPU[03] sibling={3}, core={0-3}']);
  });
});
