/**
 * The cpupool-* commands: main_cpupool*() of tools/xl/xl_cpupool.c over the toolstack's
 * pool operations, with xl's messages and exit statuses:
 *   cpupool-list [-c] [POOL]       "Pool 'X' does not exist"
 *   (cpupool-create is in cpupool-create.ts)
 *   cpupool-destroy POOL           "unknown cpupool 'X'", "Can't destroy cpupool 'X'"
 *   cpupool-rename POOL NAME       "Can't rename cpupool 'X'"
 *   cpupool-cpu-add POOL CPUS      a cpu range (cpu-range.ts); a failure is only a warning
 *   cpupool-cpu-remove POOL CPUS   likewise, with xl's two lines
 *   cpupool-migrate DOMAIN POOL    "unknown domain 'X'", "unknown cpupool 'X'"
 * Pools are named by name or by number (libxl_cpupool_qualifier_to_cpupoolid).
 */
import type { CpupoolSummary } from '../../../toolstack/types';
import type { XlCommand, XlHost } from '../context';
import { parseCpuRange, type CpuRangeContext } from '../cpu-range';
import { cpupoolList } from '../format/cpupool-list';
import { xlGetopt } from '../getopt';
import { asToolstackError } from '../toolstack-failure';

/** libxl_cpupool_qualifier_to_cpupoolid: a name, or digits as a pool id. */
export async function findPool(host: XlHost, q: string): Promise<CpupoolSummary | undefined> {
  const pools = await host.listCpupools();
  return pools.find((p) => p.name === q) ?? (/^\d+$/.test(q) ? pools.find((p) => p.poolId === Number(q)) : undefined);
}

export async function rangeContext(host: XlHost): Promise<CpuRangeContext> {
  const t = await host.topology();
  const nodeCpus: number[][] = Array.from({ length: t.nrNodes }, () => []);
  for (const c of t.cpus) nodeCpus[c.node]?.push(c.cpu);
  return { nrCpus: t.cpus.length, nodeCpus };
}

export const cpupoolListCommand: XlCommand = async (ctx, args) => {
  const { opts, operands } = xlGetopt(ctx.io, 'cpupool-list', args, 'c', [{ name: 'cpus', hasArg: false, val: 'c' }], 0);
  const host = await ctx.host();
  let pools = await host.listCpupools();
  if (operands[0] !== undefined) {
    const p = await findPool(host, operands[0]);
    if (!p) {
      ctx.err(`Pool '${operands[0]}' does not exist\n`);
      return 1;
    }
    pools = pools.filter((x) => x.poolId === p.poolId);
  }
  ctx.out(cpupoolList(pools, opts.some((o) => o.opt === 'c')));
  return 0;
};

export const cpupoolDestroy: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'cpupool-destroy', args, '', [], 1);
  const q = operands[0]!;
  const host = await ctx.host();
  const p = await findPool(host, q);
  if (!p) {
    ctx.err(`unknown cpupool '${q}'\n`);
    return 1;
  }
  try {
    await host.destroyCpupool(p.name);
  } catch (e) {
    asToolstackError(e);
    ctx.err(`Can't destroy cpupool '${q}'\n`);
    return 1;
  }
  await ctx.record({ op: 'cpupool-destroy', pool: p.name });
  return 0;
};

export const cpupoolRename: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'cpupool-rename', args, '', [], 2);
  const [q, name] = [operands[0]!, operands[1]!];
  const host = await ctx.host();
  const p = await findPool(host, q);
  if (!p) {
    ctx.err(`unknown cpupool '${q}'\n`);
    return 1;
  }
  try {
    await host.renameCpupool(p.name, name);
  } catch (e) {
    asToolstackError(e);
    ctx.err(`Can't rename cpupool '${q}'\n`);
    return 1;
  }
  await ctx.record({ op: 'cpupool-rename', pool: p.name, name });
  return 0;
};

function cpuMove(which: 'add' | 'remove'): XlCommand {
  const command = `cpupool-cpu-${which}`;
  return async (ctx, args) => {
    const { operands } = xlGetopt(ctx.io, command, args, '', [], 2);
    const [q, range] = [operands[0]!, operands[1]!];
    const host = await ctx.host();
    const r = parseCpuRange(range, await rangeContext(host));
    if (!r.ok) {
      ctx.err(`${r.message}\n`);
      return 1;
    }
    const p = await findPool(host, q);
    if (!p) {
      ctx.err(`unknown cpupool '${q}'\n`);
      return 1;
    }
    try {
      await (which === 'add' ? host.cpupoolAddCpus(p.name, r.cpus) : host.cpupoolRemoveCpus(p.name, r.cpus));
    } catch (e) {
      asToolstackError(e);
      // libxl_cpupool_cpu{add,remove}_cpumap failed: xl warns and still exits 0
      if (which === 'add') ctx.err(`some cpus may not have been added to ${q}\n`);
      else ctx.err(`Some cpus may have not or only partially been removed from '${q}'.\nIf a cpu can't be added to another cpupool, add it to '${q}' again and retry.\n`);
      return 0;
    }
    await ctx.record({ op: which === 'add' ? 'cpupool-cpu-add' : 'cpupool-cpu-remove', pool: p.name, cpus: r.cpus });
    return 0;
  };
}

export const cpupoolCpuAdd = cpuMove('add');
export const cpupoolCpuRemove = cpuMove('remove');

export const cpupoolMigrate: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'cpupool-migrate', args, '', [], 2);
  const [dom, q] = [operands[0]!, operands[1]!];
  const host = await ctx.host();
  const domains = await host.listDomains();
  const d = /^\d*$/.test(dom) ? domains.find((x) => x.domid === Number(dom)) : domains.find((x) => x.name === dom);
  if (!d) {
    ctx.err(`unknown domain '${dom}'\n`);
    return 1;
  }
  const p = await findPool(host, q);
  if (!p) {
    ctx.err(`unknown cpupool '${q}'\n`);
    return 1;
  }
  try {
    await host.migrateToCpupool(d.domid, p.name);
  } catch (e) {
    // libxl_cpupool_movedomain logs, xl exits 1
    ctx.err(`${asToolstackError(e).message}\n`);
    return 1;
  }
  await ctx.record({ op: 'cpupool-migrate', domid: d.domid, pool: p.name });
  return 0;
};
