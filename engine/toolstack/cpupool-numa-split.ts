/**
 * `xl cpupool-numa-split`: one CPU pool per NUMA node. In Xen this is not a hypercall nor
 * a libxl call but a sequence xl runs itself (tools/xl/xl_cpupool.c,
 * main_cpupoolnumasplit), so XenDeck runs the same sequence over any ToolstackHost —
 * the embedded one or a real host over SSH:
 *   1. refuse when a pool other than Pool-0 exists ("splitting not possible, already
 *      cpupools in use");
 *   2. give Pool-0 every pCPU of the node of pCPU 0 (adding before removing, so Pool-0
 *      is never empty) and rename it Pool-node<N>;
 *   3. if Domain-0 has more vCPUs online than that node has pCPUs, take it down to that
 *      many (libxl_set_vcpuonline with vCPUs 0..n-1) and wait for dom0's kernel to
 *      offline them (xl polls ten times a second apart: "failed to offline vcpus");
 *   4. for every other node: remove its pCPUs from Pool-0 and create Pool-node<M> with
 *      Pool-0's scheduler over them.
 * xl stops at the first failing step and leaves what it did; XenDeck checks what it can
 * beforehand (the pool count, that each node has pCPUs), so the usual refusals change
 * nothing.
 */
import type { DomainRef, ToolstackHost } from './host-api';
import { ToolstackError } from './toolstack-error';
import type { CpupoolSummary } from './types';

export type NumaSplitHost = Pick<
  ToolstackHost,
  'listCpupools' | 'topology' | 'cpupoolAddCpus' | 'cpupoolRemoveCpus' | 'renameCpupool' | 'createCpupool' | 'domain'
> & { setOnlineVcpus(ref: DomainRef, count: number): Promise<void> };

export interface NumaSplitOptions {
  /** Waits between xl's checks that dom0 offlined its vCPUs (xl: sleep(1)). */
  wait?: () => Promise<void>;
}

const ONE_SECOND = (): Promise<void> => new Promise((r) => setTimeout(r, 1000));

export async function cpupoolNumaSplit(host: NumaSplitHost, opts: NumaSplitOptions = {}): Promise<CpupoolSummary[]> {
  const pools = await host.listCpupools();
  const pool0 = pools.find((p) => p.poolId === 0);
  if (!pool0) throw new ToolstackError('EIO', 'error getting cpupool info');
  if (pools.length > 1) {
    throw new ToolstackError('EBUSY', 'splitting not possible, already cpupools in use', `Destroy the other pools first: ${pools.filter((p) => p.poolId !== 0).map((p) => p.name).join(', ')}`);
  }
  const topo = await host.topology();
  const byNode = new Map<number, number[]>();
  for (const c of [...topo.cpus].sort((a, b) => a.cpu - b.cpu)) {
    const list = byNode.get(c.node) ?? [];
    list.push(c.cpu);
    byNode.set(c.node, list);
  }
  const first = topo.cpus.find((c) => c.cpu === 0) ?? topo.cpus[0];
  if (!first) throw new ToolstackError('EIO', 'libxl_get_topologyinfo failed');
  const node0 = first.node;
  const node0Cpus = byNode.get(node0)!;

  // 2. Pool-0 becomes the pool of pCPU 0's node: add first, remove later.
  const missing = node0Cpus.filter((c) => !pool0.cpus.includes(c));
  if (missing.length > 0) await host.cpupoolAddCpus(pool0.name, missing);
  const pool0Name = `Pool-node${node0}`;
  if (pool0.name !== pool0Name) await host.renameCpupool(pool0.name, pool0Name);

  // 3. dom0 keeps no more vCPUs than its node has pCPUs.
  const n = node0Cpus.length;
  let dom0 = await host.domain(0);
  if (dom0.onlineVcpus > n) {
    await host.setOnlineVcpus(0, n);
    const wait = opts.wait ?? ONE_SECOND;
    for (let i = 0; i < 10; i++) {
      dom0 = await host.domain(0);
      if (dom0.onlineVcpus <= n) break;
      await wait();
    }
    if (dom0.onlineVcpus > n) throw new ToolstackError('EBUSY', 'failed to offline vcpus', `Domain-0 still has ${dom0.onlineVcpus} vCPUs online; node ${node0} has ${n} pCPUs`);
  }

  // 4. one pool per other node, with Pool-0's scheduler.
  for (const [node, cpus] of [...byNode].sort((a, b) => a[0] - b[0])) {
    if (node === node0) continue;
    const inPool0 = cpus.filter((c) => pool0.cpus.includes(c));
    if (inPool0.length > 0) await host.cpupoolRemoveCpus(pool0Name, inPool0);
    await host.createCpupool(`Pool-node${node}`, pool0.sched, cpus);
  }
  return host.listCpupools();
}
