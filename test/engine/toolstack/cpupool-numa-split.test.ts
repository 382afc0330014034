import { describe, expect, it } from 'vitest';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import { cpupoolNumaSplit } from '../../../engine/toolstack/cpupool-numa-split';
import { ToolstackError } from '../../../engine/toolstack/toolstack-error';

const fourNodes = { sockets: 4, coresPerSocket: 2, threadsPerCore: 1, nodes: 4, memoryMiB: 65536, x2apic: false };

describe('xl cpupool-numa-split over the toolstack', () => {
  it('makes one pool per node with Pool-0 scheduler, Pool-0 renamed, dom0 cut to its node', async () => {
    const h = new EmbeddedHost({ id: 'h', topology: fourNodes });
    await h.createDomain({ configText: 'name = "g"\nmemory = 64\nvcpus = 2\n' });
    expect((await h.domain(0)).onlineVcpus).toBe(4);
    const waits: number[] = [];
    const pools = await cpupoolNumaSplit(h, { wait: async () => void waits.push(1) });
    expect(pools.map((p) => [p.name, p.sched, p.cpus, p.nDomains])).toEqual([
      ['Pool-node0', 'credit2', [0, 1], 2],
      ['Pool-node1', 'credit2', [2, 3], 0],
      ['Pool-node2', 'credit2', [4, 5], 0],
      ['Pool-node3', 'credit2', [6, 7], 0],
    ]);
    // dom0's kernel offlined vCPUs 2 and 3 at once: xl's wait loop never slept
    expect(waits).toEqual([]);
    expect((await h.domain(0)).onlineVcpus).toBe(2);
    const v = await h.vcpuList(0);
    expect(v.map((x) => [x.vcpu, x.online, x.runstate])).toEqual([
      [0, true, expect.any(String)],
      [1, true, expect.any(String)],
      [2, false, 'offline'],
      [3, false, 'offline'],
    ]);
    // the domU stayed in the first node's pool and runs only there
    expect((await h.domain('g')).cpupool).toBe('Pool-node0');
  });

  it('refuses when pools are already in use, changing nothing', async () => {
    const h = new EmbeddedHost({ id: 'h', topology: fourNodes });
    await h.cpupoolRemoveCpus('Pool-0', [7]);
    await h.createCpupool('rt', 'rtds', [7]);
    const before = await h.listCpupools();
    const e = await cpupoolNumaSplit(h).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(ToolstackError);
    expect((e as ToolstackError).message).toBe('splitting not possible, already cpupools in use');
    expect(await h.listCpupools()).toEqual(before);
    expect((await h.domain(0)).onlineVcpus).toBe(4);
  });

  it('on a single-node host only renames Pool-0, as xl does', async () => {
    const h = new EmbeddedHost({ id: 'h' });
    const pools = await cpupoolNumaSplit(h);
    expect(pools.map((p) => [p.name, p.cpus.length])).toEqual([['Pool-node0', 8]]);
  });
});
