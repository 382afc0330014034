/**
 * `xl info [-n] [FIELD]`: main_info() / print_info() of tools/xl/xl_info.c in the format
 * of engine/cli/xl-format.ts. With FIELD (and no -n), maybe_printf keeps only the lines
 * starting with FIELD and prints what follows their ": " — so a prefix matches too.
 * -n adds the pCPU topology and NUMA tables after free_cpus (print_info), each node's
 * free memory from XEN_SYSCTL_numainfo.
 */
import type { XlCommand } from '../context';
import { xlInfo } from '../../xl-format';
import { xlGetopt } from '../getopt';
import { numaTables } from '../format/numa-info';

export const info: XlCommand = async (ctx, args) => {
  const { opts, operands } = xlGetopt(ctx.io, 'info', args, 'n', [{ name: 'numa', hasArg: false, val: 'n' }], 0);
  const numa = opts.some((o) => o.opt === 'n');
  const host = await ctx.host();
  const s = await host.summary();
  const topology = numa ? await host.topology() : undefined;
  const m = /^(\d+)\.(\d+)(.*)$/.exec(s.xenVersion);
  const text = xlInfo({
    host: s.hostname,
    physinfo: await host.physinfo(),
    xenMajor: Number(m?.[1] ?? 0),
    xenMinor: Number(m?.[2] ?? 0),
    xenExtra: m?.[3] ?? '',
    scheduler: s.scheduler,
    commandline: '',
    freeCpus: s.nrCpus - new Set((await host.listCpupools()).flatMap((p) => p.cpus)).size,
  });
  if (topology) {
    ctx.out(text.replace(/^(free_cpus .*\n)/m, (line) => line + numaTables(topology)));
    return 0;
  }
  // main_info: a field name is only honoured without -n
  const field = operands[0];
  if (field === undefined) {
    ctx.out(text);
    return 0;
  }
  for (const line of text.split('\n')) {
    const k = line.indexOf(': ');
    if (line.startsWith(field) && k >= 0) ctx.out(`${line.slice(k + 2)}\n`);
  }
  return 0;
};
