/**
 * `xl sched-rtds`: main_sched_rtds() of tools/xl/xl_sched.c — list the RTDS pools' domains
 * (Xen answers a domain-level query with the defaults), every vCPU of every RTDS domain
 * (-v all), show or set every vCPU of a domain (-d D -v all [-p -b -e]: libxl's _set_all) or the vCPUs
 * named (-d D -v N [-v M ...] with one -p, -b and -e each), with xl's option checks and
 * libxl's log lines when libxl_vcpu_sched_params_set/_get refuses.
 */
import type { XlCommand } from '../context';
import { findDomain } from '../find-domain';
import { xlGetopt } from '../getopt';
import type { XlContext, XlHost } from '../context';
import { domainsByDomid } from '../domain-order';
import { libxlError, rtdsValidateSite, SITES, type LibxlSite } from '../libxl-log';
import { asToolstackError } from '../toolstack-failure';
import { arg, has, listPools, pad, poolsToList, RTDS_VCPU_HEADER, showDomain, strtol10 } from './sched-common';
import { strerror } from '../../../toolstack/strerror';
import type { ToolstackError } from '../../../toolstack/toolstack-error';
import type { VcpuSchedParamsT } from '../../../toolstack/types';

/** sched_rtds_vcpu_output()'s row. */
const vcpuRow = (name: string, domid: number, v: { vcpu: number; period: number; budget: number; extratime: boolean }): string =>
  `${name.padEnd(33)} ${pad(domid, 4)} ${pad(v.vcpu, 4)} ${pad(v.period, 9)} ${pad(v.budget, 9)} ${pad(v.extratime ? 'yes' : 'no', 10)}\n`;

/** Where libxl logs a refusal of libxl_vcpu_sched_params_set (-v N) or _set_all (-v all). */
interface SetSites {
  set: LibxlSite;
  hypercall: LibxlSite;
}
const SET: SetSites = { set: SITES.vcpuSchedSet, hypercall: { file: 'libxl_sched.c', line: 653, fn: 'sched_rtds_vcpu_set' } };
const SET_ALL: SetSites = {
  set: { file: 'libxl_sched.c', line: 861, fn: 'libxl_vcpu_sched_params_set_all' },
  hypercall: { file: 'libxl_sched.c', line: 705, fn: 'sched_rtds_vcpu_set_all' },
};

/**
 * The libxl log line of a refusal, at the source line that words it: libxl's own checks
 * (sched_rtds_validate_params, the vCPU range, the pool's scheduler), else the
 * hypervisor's (rt_dom_cntl's EINVAL: a period or budget under 10 µs), which libxl logs
 * as LOGED "Setting vcpu sched rtds" with strerror.
 */
function libxlLine(domid: number, err: ToolstackError, at: SetSites): string {
  const message = err.message;
  const site =
    rtdsValidateSite(message) ??
    (message.startsWith('Invalid VCPU') ? SITES.rtdsVcpuSetRange : message.startsWith('per-VCPU parameter setting') ? at.set : undefined);
  if (!site) return libxlError(at.hypercall, domid, 'Setting vcpu sched rtds', strerror(err.code));
  // sched_rtds_validate_params logs without a domid (LOG, not LOGD)
  return libxlError(site, site.fn === 'sched_rtds_validate_params' ? undefined : domid, message);
}

/** -d D -v N ...: the header, then the named vCPUs (libxl_vcpu_sched_params_get). */
async function showVcpus(ctx: XlContext, host: XlHost, domid: number, ids: number[]): Promise<number> {
  ctx.out(RTDS_VCPU_HEADER);
  const info = await host.domainSched(domid);
  const fail = (line: string): number => {
    ctx.err(line);
    ctx.err('libxl_vcpu_sched_params_get failed.\n');
    return 1;
  };
  if (info.sched !== 'rtds') return fail(libxlError(SITES.vcpuSchedGet, domid, 'per-VCPU parameter getting not supported for this scheduler'));
  const all = info.vcpus ?? [];
  if (ids.some((i) => i < 0 || i >= all.length)) {
    return fail(libxlError({ file: 'libxl_sched.c', line: 524, fn: 'sched_rtds_vcpu_get' }, domid, `VCPU index is out of range, valid values are within range from 0 to ${all.length - 1}`));
  }
  const name = (await host.domain(domid)).name;
  ctx.out(ids.map((i) => vcpuRow(name, domid, all[i]!)).join(''));
  return 0;
}

/** -v all without -d: sched_vcpu_output() — each RTDS pool, its line, header and every vCPU of its domains. */
async function listPoolVcpus(ctx: XlContext, host: XlHost, only: string | undefined): Promise<number> {
  const wanted = await poolsToList(ctx, host, only);
  if (!wanted) return 1;
  const domains = await domainsByDomid(host);
  for (const p of wanted.filter((x) => x.sched === 'rtds')) {
    let out = `Cpupool ${p.name}: sched=RTDS\n${RTDS_VCPU_HEADER}`;
    for (const d of domains.filter((x) => x.cpupool === p.name)) {
      const info = await host.domainSched(d.domid);
      out += (info.vcpus ?? []).map((v) => vcpuRow(d.name, d.domid, v)).join('');
    }
    ctx.out(out);
  }
  return 0;
}

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
  const host = await ctx.host();
  if (dom === undefined && vAll) return listPoolVcpus(ctx, host, pool);
  if (dom === undefined) return listPools(ctx, host, 'rtds', pool);
  if (vIds.length > 0) {
    const domid = await findDomain(ctx, host, dom);
    const ids = vIds.map((x) => strtol10(x.arg));
    if (!p && !b && !e) return showVcpus(ctx, host, domid, ids);
    const all = (c: string): string[] => o.opts.filter((x) => x.opt === c).map((x) => x.arg ?? '');
    const [periods, budgets, extras] = [all('p'), all('b'), all('e')];
    const vcpus = ids.map((vcpu, i) => ({ vcpu, period: strtol10(periods[i]), budget: strtol10(budgets[i]), extratime: strtol10(extras[i]) !== 0 }));
    return setVcpus(ctx, host, domid, vcpus, false);
  }
  if (!vAll) return showDomain(ctx, host, dom, 'rtds');
  if (!p && !b && !e) {
    const domid = await findDomain(ctx, host, dom);
    const info = await host.domainSched(domid);
    ctx.out(RTDS_VCPU_HEADER);
    if (info.sched !== 'rtds') {
      // libxl_vcpu_sched_params_get_all() refuses any scheduler but RTDS; sched_vcpu_get_all exits
      ctx.err(libxlError({ file: 'libxl_sched.c', line: 964, fn: 'libxl_vcpu_sched_params_get_all' }, domid, 'per-VCPU parameter getting not supported for this scheduler'));
      ctx.err('libxl_vcpu_sched_params_get_all failed.\n');
      return 1;
    }
    const name = (await host.listDomains()).find((d) => d.domid === domid)?.name ?? String(domid);
    ctx.out((info.vcpus ?? []).map((v) => vcpuRow(name, domid, v)).join(''));
    return 0;
  }
  // -v all with parameters: sched_vcpu_set_all(), libxl_vcpu_sched_params_set_all() —
  // the parameters checked once, then set for every vCPU from 0 to max_vcpu_id
  const domid = await findDomain(ctx, host, dom);
  const info = await host.domainSched(domid);
  const [period, budget, extratime] = [strtol10(arg(o, 'p')), strtol10(arg(o, 'b')), strtol10(arg(o, 'e')) !== 0];
  const ids = info.vcpus?.map((v) => v.vcpu) ?? [0];
  return setVcpus(ctx, host, domid, ids.map((vcpu) => ({ vcpu, period, budget, extratime })), true);
};

/** libxl_vcpu_sched_params_set (-v N ...) or _set_all (-v all), with libxl's log line and xl's message when refused. */
async function setVcpus(ctx: XlContext, host: XlHost, domid: number, vcpus: VcpuSchedParamsT[], all: boolean): Promise<number> {
  try {
    await host.setVcpuSched(domid, vcpus);
  } catch (err) {
    ctx.err(libxlLine(domid, asToolstackError(err), all ? SET_ALL : SET));
    ctx.err(`libxl_vcpu_sched_params_set${all ? '_all' : ''} failed.\n`);
    return 1;
  }
  await ctx.record({ op: 'sched-vcpus', domid, vcpus });
  return 0;
}
