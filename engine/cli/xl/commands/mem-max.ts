/**
 * `xl mem-max Domain SIZE`: main_memmax() / set_memory_max() of tools/xl/xl_mem.c. SIZE
 * is parse_mem_size_kb()'s: a number with an optional b, k, m (the default), g or t.
 * "invalid memory size: X"; a failure of libxl_domain_setmaxmem is its log line, then
 * "cannot set domid N static max memory to : X", exit 1.
 */
import type { XlCommand, XlContext, XlHost } from '../context';
import { findDomain } from '../find-domain';
import { xlGetopt } from '../getopt';
import { libxlError } from '../libxl-log';
import { asToolstackError } from '../toolstack-failure';

/** parse_mem_size_kb (tools/xl/xl_utils.c); undefined where it returns -1. */
export function parseMemSizeKb(s: string): number | undefined {
  const m = /^\s*([+-]?\d+)(.*)$/.exec(s);
  const num = m ? Number.parseInt(m[1]!, 10) : 0;
  const rest = m ? m[2]! : s;
  if (rest.length > 1) return undefined;
  switch (rest.toLowerCase()) {
    case 't':
      return num * 1024 ** 3;
    case 'g':
      return num * 1024 ** 2;
    case '':
    case 'm':
      return num * 1024;
    case 'k':
      return num;
    case 'b':
      return Math.floor(num / 1024);
    default:
      return undefined;
  }
}

const SETMAXMEM = { file: 'libxl_mem.c', line: 59, fn: 'libxl_domain_setmaxmem' };

/** `xl mem-max|mem-set <Domain> <size>`: the host, the domid and the size in KiB, or xl's "invalid memory size" (undefined). */
export async function domainAndSize(ctx: XlContext, cmd: 'mem-max' | 'mem-set', args: string[]): Promise<{ host: XlHost; domid: number; mem: string; kib: number } | undefined> {
  const { operands } = xlGetopt(ctx.io, cmd, args, '', [], 2);
  const host = await ctx.host();
  const domid = await findDomain(ctx, host, operands[0]!);
  const mem = operands[1]!;
  const kib = parseMemSizeKb(mem);
  if (kib === undefined) ctx.err(`invalid memory size: ${mem}\n`);
  return kib === undefined ? undefined : { host, domid, mem, kib };
}

export const memMax: XlCommand = async (ctx, args) => {
  const got = await domainAndSize(ctx, 'mem-max', args);
  if (!got) return 1;
  const { host, domid, mem, kib } = got;
  try {
    await host.setMaxMemory(domid, kib);
  } catch (e) {
    const err = asToolstackError(e);
    ctx.err(err.message.startsWith('memory_static_max') ? libxlError(SETMAXMEM, domid, err.message) : `${err.message}\n`);
    ctx.err(`cannot set domid ${domid} static max memory to : ${mem}\n`);
    return 1;
  }
  await ctx.record({ op: 'mem-max', domid, maxKiB: kib });
  return 0;
};
