/**
 * `xl vcpu-set [-i] <Domain> <vCPUs>`: main_vcpuset() / vcpuset() of tools/xl/xl_vcpu.c.
 * The count is strtoul's ("Error: Invalid argument." without a digit or above INT_MAX);
 * unless -i/--ignore-host, raising it past both the online vCPUs and the host's pCPUs is
 * refused ("You are overcommmitting! ..." with xl's spelling); then libxl_set_vcpuonline
 * with vCPUs 0..n-1: libxl's log line and "libxl_set_vcpuonline failed domid=N
 * max_vcpus=M, rc: -3" when it refuses. The guest brings the vCPUs up or down itself.
 */
import type { XlCommand } from '../context';
import { findDomain } from '../find-domain';
import { xlGetopt } from '../getopt';
import { LIBXL_RC, libxlError, SITES } from '../libxl-log';
import { asToolstackError } from '../toolstack-failure';

const INT_MAX = 2 ** 31 - 1;

/** strtoul(s, &end, 10) as vcpuset() checks it: undefined when nothing was read or above INT_MAX. */
export function parseVcpuCount(s: string): number | undefined {
  const m = /^\s*([+-]?)(\d+)/.exec(s);
  if (!m) return undefined;
  const n = Number(m[2]);
  // strtoul negates a leading '-' in unsigned arithmetic: anything but -0 wraps above INT_MAX
  if (m[1] === '-' && n !== 0) return undefined;
  return n > INT_MAX ? undefined : n;
}

export const vcpuSet: XlCommand = async (ctx, args) => {
  const o = xlGetopt(ctx.io, 'vcpu-set', args, 'i', [{ name: 'ignore-host', hasArg: false, val: 'i' }], 2);
  const checkHost = !o.opts.some((x) => x.opt === 'i');
  const host = await ctx.host();
  const domid = await findDomain(ctx, host, o.operands[0]!);
  const arg = o.operands[1]!;
  const n = parseVcpuCount(arg);
  if (n === undefined) {
    ctx.err('Error: Invalid argument.\n');
    return 1;
  }
  if (checkHost) {
    let online: number;
    try {
      online = (await host.domain(domid)).onlineVcpus;
    } catch (e) {
      asToolstackError(e);
      return 1;
    }
    const hostCpus = (await host.physinfo()).maxCpuId + 1;
    if (n > online && n > hostCpus) {
      ctx.err(`You are overcommmitting! You have ${hostCpus} physical CPUs and want ${n} vCPUs! Aborting, use --ignore-host to continue\n`);
      return 1;
    }
  }
  try {
    await host.setOnlineVcpus(domid, n);
  } catch (e) {
    const err = asToolstackError(e);
    if (err.code === 'ESRCH') {
      ctx.err(`Domain ${domid} does not exist.\n`);
      return 1;
    }
    const site = err.message.startsWith('Requested 0') ? SITES.vcpuOnlineZero : err.message.startsWith('Requested') ? SITES.vcpuOnlineMax : undefined;
    ctx.err(site ? libxlError(site, domid, err.message) : `${err.message}\n`);
    ctx.err(`libxl_set_vcpuonline failed domid=${domid} max_vcpus=${n}, rc: ${LIBXL_RC.FAIL}\n`);
    return 1;
  }
  await ctx.record({ op: 'vcpu-set', domid, count: n });
  return 0;
};
