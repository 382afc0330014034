/**
 * `xl vcpu-pin [-f] Domain VCPU|all HARD [SOFT]`: main_vcpupin() of tools/xl/xl_vcpu.c.
 * HARD and SOFT are cpu ranges (cpu-range.ts), "-" leaves one as it is; with -N the
 * command only prints "cpumap: HARD [SOFT]" as print_bitmap writes them. Failures:
 * "Error: Invalid argument X as VCPU.", libxl's "Setting vcpu affinity: <strerror>" then
 * "Could not set affinity for vcpu `N'." (exit 1), and for `all` "Could not set
 * affinity." with exit 0, as xl.
 */
import type { XlCommand } from '../context';
import { parseCpuRange } from '../cpu-range';
import { findDomain } from '../find-domain';
import { printBitmap } from '../format/bitmap';
import { xlGetopt } from '../getopt';
import { asToolstackError } from '../toolstack-failure';
import { libxlError, SITES } from '../libxl-log';
import { strerror } from '../../../toolstack/strerror';

export const vcpuPin: XlCommand = async (ctx, args) => {
  const { opts, operands } = xlGetopt(ctx.io, 'vcpu-pin', args, 'fi', [
    { name: 'force', hasArg: false, val: 'f' },
    { name: 'ignore-global-affinity-masks', hasArg: false, val: 'i' },
  ], 3);
  const force = opts.some((o) => o.opt === 'f');
  const host = await ctx.host();
  const domid = await findDomain(ctx, host, operands[0]!);
  const [vcpuArg, hardArg, softArg] = [operands[1]!, operands[2]!, operands[3]];
  const m = /^\s*([+-]?\d+)/.exec(vcpuArg);
  let vcpu: number | 'all';
  if (!m || Number(m[1]) < 0) {
    if (vcpuArg !== 'all') {
      ctx.err(`Error: Invalid argument ${vcpuArg} as VCPU.\n`);
      return 1;
    }
    if (force) {
      ctx.err("Error: --force and 'all' as VCPU not allowed.\n");
      return 1;
    }
    vcpu = 'all';
  } else vcpu = Number(m[1]);

  const t = await host.topology();
  const nodeCpus: number[][] = Array.from({ length: t.nrNodes }, () => []);
  for (const c of t.cpus) nodeCpus[c.node]?.push(c.cpu);
  const range = (s: string | undefined): number[] | null | undefined => {
    if (s === undefined || s === '-') return null;
    const r = parseCpuRange(s, { nrCpus: t.cpus.length, nodeCpus });
    if (r.ok) return r.cpus;
    ctx.err(`${r.message}\n`);
    return undefined;
  };
  const hard = range(hardArg);
  const soft = range(softArg);
  if (hard === undefined || soft === undefined) return 1;

  if (ctx.globals.dryRun) {
    ctx.out(`cpumap: ${hard ? printBitmap(hard, t.cpus.length) : '-'}${soft ? ` ${printBitmap(soft, t.cpus.length)}` : ''}\n`);
    return 0;
  }
  try {
    await host.setVcpuAffinity(domid, vcpu, hard, soft);
  } catch (e) {
    const err = asToolstackError(e);
    if (vcpu === 'all') {
      ctx.err('Could not set affinity.\n');
      return 0;
    }
    // libxl__set_vcpuaffinity's LOGED when xc_vcpu_setaffinity fails: a vCPU the domain
    // does not have, a hard affinity with no pCPU of its cpupool (EINVAL), one whose
    // affinity is broken (EBUSY) (test/fixtures/realxen/xl-vcpu-pin-bad-cpu.err)
    ctx.err(libxlError(SITES.setVcpuAffinity, domid, 'Setting vcpu affinity', strerror(err.code)));
    ctx.err(`Could not set affinity for vcpu \`${vcpu}'.\n`);
    return 1;
  }
  await ctx.record({ op: 'vcpu-pin', domid, vcpu, hard, soft });
  return 0;
};
