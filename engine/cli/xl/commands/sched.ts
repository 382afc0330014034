/**
 * `xl sched-credit`, `xl sched-credit2`, `xl sched-rtds`: main_sched_*() of
 * tools/xl/xl_sched.c over the toolstack's scheduler operations.
 *
 *   (nothing) / -p|-c POOL   every pool running this scheduler (or that one): its pool
 *                            line, the domain header, its domains; no pool: no output
 *   -d DOM                   the header and the domain's row; a domain under another
 *                            scheduler: "libxl_domain_sched_params_get returned X not Y."
 *   -d DOM -w W -c C         set weight / cap (credit, credit2), with libxl's range errors
 *   -s [-p POOL] [-t -r -m]  a pool's parameters: show, or set (credit: tslice, ratelimit,
 *                            migration delay; credit2: ratelimit)
 *   rtds: -d DOM -v all [-p P -b B -e 0|1]  per-vCPU parameters, shown or set for all
 * Option clashes get xl's words and exit 1. Naming single vCPUs of an RTDS domain
 * (`-v N`) is not there yet.
 */
import { ToolstackError } from '../../../toolstack/toolstack-error';
import type { DomainSchedParamsT, PoolSchedParamsT, SchedulerNameT } from '../../../toolstack/types';
import { domainsByDomid } from '../domain-order';
import type { XlCommand, XlContext, XlHost } from '../context';
import { findDomain } from '../find-domain';
import { xlGetopt, type ParsedOptions } from '../getopt';
import { libxlError, type LibxlSite } from '../libxl-log';
import { notImplemented } from '../not-implemented';
import { asToolstackError } from '../toolstack-failure';

/** strtol(s, NULL, 10): leading digits, 0 when there are none. */
function strtol10(s: string | undefined): number {
  const m = /^\s*([+-]?\d+)/.exec(s ?? '');
  return m ? Number.parseInt(m[1]!, 10) : 0;
}

const pad = (v: string | number, w: number): string => String(v).padStart(w);

const WEIGHT_CAP_HEADER = `${'Name'.padEnd(33)} ${pad('ID', 4)} ${pad('Weight', 6)} ${pad('Cap', 4)}\n`;
const RTDS_HEADER = `${'Name'.padEnd(33)} ${pad('ID', 4)} ${pad('Period', 9)} ${pad('Budget', 9)} ${pad('Extratime', 10)}\n`;
const RTDS_VCPU_HEADER = `${'Name'.padEnd(33)} ${pad('ID', 4)} ${pad('VCPU', 4)} ${pad('Period', 9)} ${pad('Budget', 9)} ${pad('Extratime', 10)}\n`;

/** libxl_sched.c's range checks, per scheduler (RELEASE-4.17.7 line numbers). */
const RANGE_SITES: Partial<Record<SchedulerNameT, { weight: LibxlSite; cap: LibxlSite }>> = {
  credit: { weight: { file: 'libxl_sched.c', line: 238, fn: 'sched_credit_domain_set' }, cap: { file: 'libxl_sched.c', line: 248, fn: 'sched_credit_domain_set' } },
  credit2: { weight: { file: 'libxl_sched.c', line: 445, fn: 'sched_credit2_domain_set' }, cap: { file: 'libxl_sched.c', line: 455, fn: 'sched_credit2_domain_set' } },
};

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
  if (sched === 'rtds') return `${name.padEnd(33)} ${pad(domid, 4)} ${pad(p.period ?? 0, 9)} ${pad(p.budget ?? 0, 9)} ${pad(p.extratime ? 'yes' : 'no', 10)}\n`;
  return `${name.padEnd(33)} ${pad(domid, 4)} ${pad(p.weight ?? 0, 6)} ${pad(p.cap ?? 0, 4)}\n`;
}

/** sched_domain_output(): every pool on this scheduler, its line, header and domains. */
async function listPools(ctx: XlContext, host: XlHost, sched: SchedulerNameT, only: string | undefined): Promise<number> {
  const pools = await host.listCpupools();
  let wanted = pools;
  if (only !== undefined) {
    const p = pools.find((x) => x.name === only) ?? (/^\d+$/.test(only) ? pools.find((x) => x.poolId === Number(only)) : undefined);
    if (!p) {
      ctx.err(`unknown cpupool '${only}'\n`);
      return 1;
    }
    wanted = [p];
  }
  const domains = await domainsByDomid(host);
  for (const p of wanted.filter((x) => x.sched === sched)) {
    let out = (await poolLine(ctx, host, p.name, sched)) + (sched === 'rtds' ? RTDS_HEADER : WEIGHT_CAP_HEADER);
    for (const d of domains.filter((x) => x.cpupool === p.name)) out += (await domainRow(ctx, host, d.domid, d.name, sched)) ?? '';
    ctx.out(out);
  }
  return 0;
}

/** -d DOM alone: the header, then the row (exit 1 on a scheduler mismatch). */
async function showDomain(ctx: XlContext, host: XlHost, dom: string, sched: SchedulerNameT): Promise<number> {
  const domid = await findDomain(ctx, host, dom);
  ctx.out(sched === 'rtds' ? RTDS_HEADER : WEIGHT_CAP_HEADER);
  const d = (await host.listDomains()).find((x) => x.domid === domid);
  if (!d) return 1;
  const row = await domainRow(ctx, host, domid, d.name, sched);
  if (row === undefined) return 1;
  ctx.out(row);
  return 0;
}

async function setDomain(ctx: XlContext, host: XlHost, dom: string, sched: SchedulerNameT, params: DomainSchedParamsT): Promise<number> {
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
async function poolParams(ctx: XlContext, host: XlHost, sched: 'credit' | 'credit2', pool: string | undefined, set: PoolSchedParamsT | undefined): Promise<number> {
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
    ctx.err(`${asToolstackError(e).message}\n`);
    ctx.err(`libxl_sched_${sched}_params_set failed.\n`);
    return 1;
  }
  await ctx.record({ op: 'sched-pool', pool: p.name, params: set });
  return 0;
}

const arg = (o: ParsedOptions, c: string): string | undefined => o.opts.filter((x) => x.opt === c).pop()?.arg;
const has = (o: ParsedOptions, c: string): boolean => o.opts.some((x) => x.opt === c);

export const schedCredit: XlCommand = async (ctx, args) => {
  const o = xlGetopt(ctx.io, 'sched-credit', args, 'd:w:c:p:t:r:m:s', [
    { name: 'domain', hasArg: true, val: 'd' },
    { name: 'weight', hasArg: true, val: 'w' },
    { name: 'cap', hasArg: true, val: 'c' },
    { name: 'schedparam', hasArg: false, val: 's' },
    { name: 'tslice_ms', hasArg: true, val: 't' },
    { name: 'ratelimit_us', hasArg: true, val: 'r' },
    { name: 'migration_delay_us', hasArg: true, val: 'm' },
    { name: 'cpupool', hasArg: true, val: 'p' },
  ], 0);
  const dom = arg(o, 'd');
  const pool = arg(o, 'p');
  if ((pool !== undefined || has(o, 's')) && (dom !== undefined || has(o, 'w') || has(o, 'c'))) {
    ctx.err('Specifying a cpupool or schedparam is not allowed with domain options.\n');
    return 1;
  }
  if (dom === undefined && (has(o, 'w') || has(o, 'c'))) {
    ctx.err('Must specify a domain.\n');
    return 1;
  }
  if (!has(o, 's') && (has(o, 't') || has(o, 'r') || has(o, 'm'))) {
    ctx.err('Must specify schedparam to set schedule parameter values.\n');
    return 1;
  }
  const host = await ctx.host();
  if (has(o, 's')) {
    const set = has(o, 't') || has(o, 'r') || has(o, 'm')
      ? {
          ...(has(o, 't') ? { tsliceMs: strtol10(arg(o, 't')) } : {}),
          ...(has(o, 'r') ? { ratelimitUs: strtol10(arg(o, 'r')) } : {}),
          ...(has(o, 'm') ? { vcpuMigrDelayUs: strtol10(arg(o, 'm')) } : {}),
        }
      : undefined;
    return poolParams(ctx, host, 'credit', pool, set);
  }
  if (dom === undefined) return listPools(ctx, host, 'credit', pool);
  if (!has(o, 'w') && !has(o, 'c')) return showDomain(ctx, host, dom, 'credit');
  return setDomain(ctx, host, dom, 'credit', { ...(has(o, 'w') ? { weight: strtol10(arg(o, 'w')) } : {}), ...(has(o, 'c') ? { cap: strtol10(arg(o, 'c')) } : {}) });
};

export const schedCredit2: XlCommand = async (ctx, args) => {
  const o = xlGetopt(ctx.io, 'sched-credit2', args, 'd:w:c:p:r:s', [
    { name: 'domain', hasArg: true, val: 'd' },
    { name: 'weight', hasArg: true, val: 'w' },
    { name: 'cap', hasArg: true, val: 'c' },
    { name: 'schedparam', hasArg: false, val: 's' },
    { name: 'ratelimit_us', hasArg: true, val: 'r' },
    { name: 'cpupool', hasArg: true, val: 'p' },
  ], 0);
  const dom = arg(o, 'd');
  const pool = arg(o, 'p');
  if (pool !== undefined && (dom !== undefined || has(o, 'w') || has(o, 'c'))) {
    ctx.err('Specifying a cpupool is not allowed with other options.\n');
    return 1;
  }
  if (dom === undefined && (has(o, 'w') || has(o, 'c'))) {
    ctx.err('Must specify a domain.\n');
    return 1;
  }
  const host = await ctx.host();
  if (has(o, 's')) return poolParams(ctx, host, 'credit2', pool, has(o, 'r') ? { ratelimitUs: strtol10(arg(o, 'r')) } : undefined);
  if (dom === undefined) return listPools(ctx, host, 'credit2', pool);
  if (!has(o, 'w') && !has(o, 'c')) return showDomain(ctx, host, dom, 'credit2');
  return setDomain(ctx, host, dom, 'credit2', { ...(has(o, 'w') ? { weight: strtol10(arg(o, 'w')) } : {}), ...(has(o, 'c') ? { cap: strtol10(arg(o, 'c')) } : {}) });
};

export const schedRtds: XlCommand = async (ctx, args) => {
  const o = xlGetopt(ctx.io, 'sched-rtds', args, 'd:p:b:e:v:c:', [
    { name: 'domain', hasArg: true, val: 'd' },
    { name: 'period', hasArg: true, val: 'p' },
    { name: 'budget', hasArg: true, val: 'b' },
    { name: 'extratime', hasArg: true, val: 'e' },
    { name: 'vcpuid', hasArg: true, val: 'v' },
    { name: 'cpupool', hasArg: true, val: 'c' },
  ], 0);
  const dom = arg(o, 'd');
  const pool = arg(o, 'c');
  const count = (c: string): number => o.opts.filter((x) => x.opt === c).length;
  const vAll = o.opts.some((x) => x.opt === 'v' && x.arg === 'all');
  const vIds = o.opts.filter((x) => x.opt === 'v' && x.arg !== 'all');
  const [p, b, e] = [has(o, 'p'), has(o, 'b'), has(o, 'e')];
  for (const x of o.opts.filter((y) => y.opt === 'e')) {
    if (x.arg !== '0' && x.arg !== '1') {
      ctx.err('Invalid extratime.\n');
      return 1;
    }
  }
  if (pool !== undefined && (dom !== undefined || p || b || e || vIds.length > 0 || vAll)) {
    ctx.err('Specifying a cpupool is not allowed with other options.\n');
    return 1;
  }
  if (dom === undefined && (p || b || e || vIds.length > 0)) {
    ctx.err('Missing parameters.\n');
    return 1;
  }
  if (dom !== undefined && vIds.length === 0 && !vAll && (p || b || e)) {
    ctx.err('Must specify VCPU.\n');
    return 1;
  }
  if (vIds.length > 0 && vAll) {
    ctx.err('Incorrect VCPU IDs.\n');
    return 1;
  }
  if ((vIds.length > count('b') && b) || (vIds.length > count('p') && p) || (vIds.length > count('e') && e) || count('p') !== count('b') || count('p') !== count('e')) {
    ctx.err('Incorrect number of period, budget and extratime\n');
    return 1;
  }
  if (vIds.length > 0) notImplemented(ctx, 'sched-rtds -v VCPU (parameters of single vCPUs)');
  const host = await ctx.host();
  if (dom === undefined && vAll) notImplemented(ctx, 'sched-rtds -v all without -d');
  if (dom === undefined) return listPools(ctx, host, 'rtds', pool);
  if (!vAll) return showDomain(ctx, host, dom, 'rtds');
  if (!p && !b && !e) {
    const domid = await findDomain(ctx, host, dom);
    const info = await host.domainSched(domid);
    ctx.out(RTDS_VCPU_HEADER);
    if (info.sched !== 'rtds') {
      ctx.err(`libxl_vcpu_sched_params_get_all returned ${info.sched} not rtds.\n`);
      return 1;
    }
    const name = (await host.listDomains()).find((d) => d.domid === domid)?.name ?? String(domid);
    ctx.out((info.vcpus ?? []).map((v) => `${name.padEnd(33)} ${pad(domid, 4)} ${pad(v.vcpu, 4)} ${pad(v.period, 9)} ${pad(v.budget, 9)} ${pad(v.extratime ? 'yes' : 'no', 10)}\n`).join(''));
    return 0;
  }
  return setDomain(ctx, host, dom, 'rtds', { period: strtol10(arg(o, 'p')), budget: strtol10(arg(o, 'b')), extratime: arg(o, 'e') === '1' });
};
