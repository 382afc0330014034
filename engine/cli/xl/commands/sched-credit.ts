/**
 * `xl sched-credit` and `xl sched-credit2`: main_sched_credit() / main_sched_credit2() of
 * tools/xl/xl_sched.c — list every pool on the scheduler (or -p POOL), show or set one
 * domain (-d, -w, -c), show or set a pool's parameters (-s with -t -r -m / -r), with
 * xl's checks on which options go together.
 */
import type { XlCommand } from '../context';
import { xlGetopt } from '../getopt';
import { arg, has, listPools, poolParams, setDomain, showDomain, strtol10 } from './sched-common';

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
