/**
 * `xl cpupool-create [-n] [-f FILE] [FILE] [key=value...]`: main_cpupoolcreate() of
 * tools/xl/xl_cpupool.c. The config is xl.cfg syntax (libxlutil) — name (else the file's
 * basename), sched (else the host's), and the pCPUs as "nodes" (their free pCPUs) or
 * "cpus" (a list, or a cpu range). It prints the "Using config file" block on stdout,
 * then creates (not with -n or the global -N). Errors are xl's: "Missing cpupool name!",
 * "Pool name \"X\" already exists", "Unknown scheduler", "cpu N illegal or not free",
 * "no free cpu found", "error on creating cpupool" — all exit 1.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseXlCfg, type XlCfgParse } from '../../../toolstack/config';
import type { SchedulerNameT } from '../../../toolstack/types';
import type { XlCommand, XlContext, XlHost } from '../context';
import { parseCpuRange } from '../cpu-range';
import { xlGetopt } from '../getopt';
import { helpText } from '../help';
import { asToolstackError } from '../toolstack-failure';
import { findPool, rangeContext } from './cpupool';

const SCHEDULERS: readonly SchedulerNameT[] = ['credit', 'credit2', 'rtds', 'null'];

export const cpupoolCreate: XlCommand = async (ctx, args) => {
  const { opts, operands } = xlGetopt(ctx.io, 'cpupool-create', args, 'nf:', [
    { name: 'defconfig', hasArg: true, val: 'f' },
    { name: 'dryrun', hasArg: false, val: 'n' },
  ], 0);
  let file = opts.find((o) => o.opt === 'f')?.arg;
  const dryRun = ctx.globals.dryRun || opts.some((o) => o.opt === 'n');
  const extra: string[] = [];
  for (const a of operands) {
    if (a.includes('=')) extra.push(a);
    else if (file === undefined) file = a;
    else {
      ctx.out(helpText('cpupool-create'));
      return 1;
    }
  }
  let text = '';
  if (file !== undefined) {
    try {
      text = await readFile(ctx.file(file), 'utf8');
    } catch {
      ctx.err(`Failed to read config file: ${file}: No such file or directory\n`);
      return 1;
    }
  }
  if (extra.length > 0) text += `\n${extra.join('\n')}\n`;
  const source = file ?? 'command line';
  const cfg = parseXlCfg(text, source);
  if (cfg.errors.length > 0) {
    for (const e of cfg.errors) ctx.err(`${e.message}\n`);
    ctx.err('Failed to parse config file: Invalid argument\n');
    return 1;
  }
  const host = await ctx.host();
  const name = str(cfg, 'name') ?? (file !== undefined ? basename(file) : undefined);
  if (name === undefined) {
    ctx.err('Missing cpupool name!\n');
    return 1;
  }
  if (await findPool(host, name)) {
    ctx.err(`Pool name "${name}" already exists\n`);
    return 1;
  }
  const schedText = str(cfg, 'sched');
  const sched = schedText === undefined ? ((await host.summary()).scheduler as SchedulerNameT) : SCHEDULERS.find((s) => s === schedText);
  if (sched === undefined) {
    ctx.err('Unknown scheduler\n');
    return 1;
  }
  const cpus = await poolCpus(ctx, host, cfg);
  if (cpus === undefined) return 1;
  ctx.out(`Using config file "${source}"\ncpupool name:   ${name}\nscheduler:      ${sched}\nnumber of cpus: ${cpus.length}\n`);
  if (dryRun) return 0;
  try {
    await host.createCpupool(name, sched, cpus);
  } catch (e) {
    asToolstackError(e);
    ctx.err('error on creating cpupool\n');
    return 1;
  }
  await ctx.record({ op: 'cpupool-create', name, sched, cpus });
  return 0;
};

/** The pCPUs of a new pool: "nodes" (their free pCPUs), else "cpus" as a list or a range. */
async function poolCpus(ctx: XlContext, host: XlHost, cfg: XlCfgParse): Promise<number[] | undefined> {
  const rc = await rangeContext(host);
  const used = new Set((await host.listCpupools()).flatMap((p) => p.cpus));
  const free = (c: number): boolean => c >= 0 && c < rc.nrCpus && !used.has(c);
  const nodes = cfg.settings.get('nodes');
  if (nodes?.value.kind === 'list') {
    const cpus = nodes.value.items.flatMap((i) => (i.kind === 'string' ? (rc.nodeCpus[Number.parseInt(i.value, 10)] ?? []) : [])).filter(free);
    if (cpus.length === 0) {
      ctx.err('no free cpu found\n');
      return undefined;
    }
    return cpus;
  }
  const setting = cfg.settings.get('cpus');
  if (!setting) return [];
  let cpus: number[];
  if (setting.value.kind === 'list') {
    cpus = setting.value.items.map((i) => (i.kind === 'string' ? Number.parseInt(i.value, 10) : i.kind === 'number' ? Number.parseInt(i.text, 10) : -1));
  } else {
    const r = parseCpuRange(setting.value.kind === 'string' ? setting.value.value : setting.value.text, rc);
    if (!r.ok) {
      ctx.err(`${r.message}\n`);
      return undefined;
    }
    cpus = r.cpus;
  }
  const bad = cpus.find((c) => !free(c));
  if (bad !== undefined) {
    ctx.err(`cpu ${bad} illegal or not free\n`);
    return undefined;
  }
  return cpus;
}

function str(cfg: XlCfgParse, key: string): string | undefined {
  const v = cfg.settings.get(key)?.value;
  return v?.kind === 'string' ? v.value : v?.kind === 'number' ? v.text : undefined;
}
