/**
 * What `xl sched-credit`, `sched-credit2` and `sched-rtds` share (tools/xl/xl_sched.c):
 * the pool line (sched_*_pool_output), the domain tables (sched_*_domain_output,
 * sched_domain_output), showing and setting a domain's parameters with libxl's range
 * errors (libxl_sched.c), and a pool's own parameters (-s).
 */
import { ToolstackError } from '../../../toolstack/toolstack-error';
import type { CpupoolSummary, DomainSchedParamsT, PoolSchedParamsT, SchedulerNameT } from '../../../toolstack/types';
import { domainsByDomid } from '../domain-order';
import type { XlContext, XlHost } from '../context';
import { findDomain } from '../find-domain';
import type { ParsedOptions } from '../getopt';
import { libxlError, type LibxlSite } from '../libxl-log';
import { asToolstackError } from '../toolstack-failure';

/** strtol(s, NULL, 10): leading digits, 0 when there are none. */
export function strtol10(s: string | undefined): number {
  const m = /^\s*([+-]?\d+)/.exec(s ?? '');
  return m ? Number.parseInt(m[1]!, 10) : 0;
}

export const pad = (v: string | number, w: number): string => String(v).padStart(w);

export const WEIGHT_CAP_HEADER = `${'Name'.padEnd(33)} ${pad('ID', 4)} ${pad('Weight', 6)} ${pad('Cap', 4)}\n`;
export const RTDS_HEADER = `${'Name'.padEnd(33)} ${pad('ID', 4)} ${pad('Period', 9)} ${pad('Budget', 9)} ${pad('Extratime', 10)}\n`;
export const RTDS_VCPU_HEADER = `${'Name'.padEnd(33)} ${pad('ID', 4)} ${pad('VCPU', 4)} ${pad('Period', 9)} ${pad('Budget', 9)} ${pad('Extratime', 10)}\n`;

/** libxl_sched.c's range checks, per scheduler (RELEASE-4.17.7 line numbers). */
const RANGE_SITES: Partial<Record<SchedulerNameT, { weight: LibxlSite; cap: LibxlSite }>> = {
  credit: { weight: { file: 'libxl_sched.c', line: 238, fn: 'sched_credit_domain_set' }, cap: { file: 'libxl_sched.c', line: 248, fn: 'sched_credit_domain_set' } },
  credit2: { weight: { file: 'libxl_sched.c', line: 445, fn: 'sched_credit2_domain_set' }, cap: { file: 'libxl_sched.c', line: 455, fn: 'sched_credit2_domain_set' } },
};

/** Where libxl 4.17 logs its checks of pool parameters (libxl_sched.c), by the start of the message. */
const POOL_CHECK_SITES: [string, LibxlSite][] = [
  ['Ratelimit out of range', { file: 'libxl_sched.c', line: 270, fn: 'sched_ratelimit_check' }],
  ['Time slice out of range', { file: 'libxl_sched.c', line: 311, fn: 'libxl_sched_credit_params_set' }],
  ['Ratelimit cannot be greater than timeslice', { file: 'libxl_sched.c', line: 321, fn: 'libxl_sched_credit_params_set' }],
];

/**
 * sched_*_pool_output(): the pool line. Asking a pool of another scheduler fails in Xen;
 * xl then says "libxl_sched_X_params_get failed." and "[sched params unavailable]".
 */
async function poolLine(ctx: XlContext, host: XlHost, pool: string, sched: SchedulerNameT): Promise<string> {
  if (sched === 'rtds') return `Cpupool ${pool}: sched=RTDS\n`;
  let p: PoolSchedParamsT;
  try {
    const got = await host.poolSched(pool);
    if (got.sched !== sched) throw new ToolstackError('EINVAL', `cpupool ${pool} runs ${got.sched}`);
    p = got.params;
  } catch (e) {
    asToolstackError(e);
    ctx.err(`libxl_sched_${sched}_params_get failed.\n`);
    return `Cpupool ${pool}: [sched params unavailable]\n`;
  }
  if (sched === 'credit') return `Cpupool ${pool}: tslice=${p.tsliceMs ?? 0}ms ratelimit=${p.ratelimitUs ?? 0}us migration-delay=${p.vcpuMigrDelayUs ?? 0}us\n`;
  return `Cpupool ${pool}: ratelimit=${p.ratelimitUs ?? 0}us\n`;
}

/** One domain's row, or xl's mismatch message (then nothing is printed for it). */
async function domainRow(ctx: XlContext, host: XlHost, domid: number, name: string, sched: SchedulerNameT): Promise<string | undefined> {
  const info = await host.domainSched(domid);
  if (info.sched !== sched) {
    ctx.err(`libxl_domain_sched_params_get returned ${info.sched} not ${sched}.\n`);
    return undefined;
  }
  const p = info.params;
  // sched_rtds_domain_get() sets period and budget only: extratime keeps
  // libxl_domain_sched_params_init()'s LIBXL_DOMAIN_SCHED_PARAM_EXTRATIME_DEFAULT (-1), which
  // sched_rtds_domain_output() prints as "yes"
  if (sched === 'rtds') return `${name.padEnd(33)} ${pad(domid, 4)} ${pad(p.period ?? 0, 9)} ${pad(p.budget ?? 0, 9)} ${pad((p.extratime ?? -1) ? 'yes' : 'no', 10)}\n`;
  return `${name.padEnd(33)} ${pad(domid, 4)} ${pad(p.weight ?? 0, 6)} ${pad(p.cap ?? 0, 4)}\n`;
}

/** The pools sched_domain_output() / sched_vcpu_output() walk: all, or the one -c names (undefined after "unknown cpupool"). */
export async function poolsToList(ctx: XlContext, host: XlHost, only: string | undefined): Promise<CpupoolSummary[] | undefined> {
  const pools = await host.listCpupools();
  if (only === undefined) return pools;
  const p = pools.find((x) => x.name === only) ?? (/^\d+$/.test(only) ? pools.find((x) => x.poolId === Number(only)) : undefined);
  if (!p) ctx.err(`unknown cpupool '${only}'\n`);
  return p ? [p] : undefined;
}

/** sched_domain_output(): every pool on this scheduler, its line, header and domains. */
export async function listPools(ctx: XlContext, host: XlHost, sched: SchedulerNameT, only: string | undefined): Promise<number> {
  const wanted = await poolsToList(ctx, host, only);
  if (!wanted) return 1;
  const domains = await domainsByDomid(host);
  for (const p of wanted.filter((x) => x.sched === sched)) {
    let out = (await poolLine(ctx, host, p.name, sched)) + (sched === 'rtds' ? RTDS_HEADER : WEIGHT_CAP_HEADER);
    for (const d of domains.filter((x) => x.cpupool === p.name)) out += (await domainRow(ctx, host, d.domid, d.name, sched)) ?? '';
    ctx.out(out);
  }
  return 0;
}

/** -d DOM alone: the header, then the row (exit 1 on a scheduler mismatch). */
export async function showDomain(ctx: XlContext, host: XlHost, dom: string, sched: SchedulerNameT): Promise<number> {
  const domid = await findDomain(ctx, host, dom);
  ctx.out(sched === 'rtds' ? RTDS_HEADER : WEIGHT_CAP_HEADER);
  const d = (await host.listDomains()).find((x) => x.domid === domid);
  if (!d) return 1;
  const row = await domainRow(ctx, host, domid, d.name, sched);
  if (row === undefined) return 1;
  ctx.out(row);
  return 0;
}

export async function setDomain(ctx: XlContext, host: XlHost, dom: string, sched: SchedulerNameT, params: DomainSchedParamsT): Promise<number> {
  const domid = await findDomain(ctx, host, dom);
  try {
    await host.setDomainSched(domid, params, sched);
  } catch (e) {
    const err = asToolstackError(e);
    const sites = RANGE_SITES[sched];
    if (sites && err.message.startsWith('Cpu weight out of range')) ctx.err(libxlError(sites.weight, domid, err.message));
    else if (sites && err.message.startsWith('Cpu cap out of range')) ctx.err(libxlError(sites.cap, domid, err.message));
    else ctx.err(`${err.message}\n`);
    ctx.err('libxl_domain_sched_params_set failed.\n');
    return 1;
  }
  await ctx.record({ op: 'sched-domain', domid, params, expect: sched });
  return 0;
}

/** -s: show a pool's parameters, or set the ones given. */
export async function poolParams(ctx: XlContext, host: XlHost, sched: 'credit' | 'credit2', pool: string | undefined, set: PoolSchedParamsT | undefined): Promise<number> {
  const pools = await host.listCpupools();
  const p = pool === undefined ? pools.find((x) => x.poolId === 0) : (pools.find((x) => x.name === pool) ?? (/^\d+$/.test(pool) ? pools.find((x) => x.poolId === Number(pool)) : undefined));
  if (!p) {
    ctx.err(`unknown cpupool '${pool}'\n`);
    return 1;
  }
  if (set === undefined) {
    ctx.out(await poolLine(ctx, host, p.name, sched));
    return 0;
  }
  if (p.sched !== sched) {
    ctx.err(`libxl_sched_${sched}_params_set failed.\n`);
    return 1;
  }
  try {
    await host.setPoolSched(p.name, set);
  } catch (e) {
    const msg = asToolstackError(e).message;
    const site = POOL_CHECK_SITES.find(([prefix]) => msg.startsWith(prefix))?.[1];
    ctx.err(site ? libxlError(site, undefined, msg) : `${msg}\n`);
    ctx.err(`libxl_sched_${sched}_params_set failed.\n`);
    return 1;
  }
  await ctx.record({ op: 'sched-pool', pool: p.name, params: set });
  return 0;
}

export const arg = (o: ParsedOptions, c: string): string | undefined => o.opts.filter((x) => x.opt === c).pop()?.arg;
export const has = (o: ParsedOptions, c: string): boolean => o.opts.some((x) => x.opt === c);
