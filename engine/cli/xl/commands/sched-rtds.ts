/**
 * `xl sched-rtds`: main_sched_rtds() of tools/xl/xl_sched.c — list the RTDS pools' domains
 * (Xen answers a domain-level query with the defaults), show or set every vCPU of a
 * domain (-d D -v all [-p -b -e]), with xl's option checks. Single vCPUs (-v N) are not
 * there yet.
 */
import type { XlCommand } from '../context';
import { findDomain } from '../find-domain';
import { xlGetopt } from '../getopt';
import { notImplemented } from '../not-implemented';
import { arg, has, listPools, pad, RTDS_VCPU_HEADER, setDomain, showDomain, strtol10 } from './sched-common';

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
