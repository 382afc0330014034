/**
 * `xl domid NAME` and `xl domname ID`: main_domid() / main_domname() of
 * tools/xl/xl_info.c. domid looks the name up only (digits are a name there too);
 * domname takes strtol's reading of its argument ("Invalid domain id." when no digit
 * at all, exit 1) and says "maybe this domain does not exist" for an unused id.
 */
import type { XlCommand } from '../context';
import { xlGetopt } from '../getopt';

export const domid: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'domid', args, '', [], 1);
  const name = operands[0]!;
  const hit = (await (await ctx.host()).listDomains()).find((d) => d.name === name);
  if (!hit) {
    ctx.err(`Can't get domid of domain name '${name}', maybe this domain does not exist.\n`);
    return 1;
  }
  ctx.out(`${hit.domid}\n`);
  return 0;
};

export const domname: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'domname', args, '', [], 1);
  const arg = operands[0]!;
  const m = /^\s*([+-]?\d+)/.exec(arg);
  if (!m) {
    ctx.err('Invalid domain id.\n\n');
    return 1;
  }
  // strtol then a uint32_t: -1 is 4294967295
  const id = Number(BigInt.asUintN(32, BigInt(m[1]!)));
  const hit = (await (await ctx.host()).listDomains()).find((d) => d.domid === id);
  if (!hit) {
    ctx.err(`Can't get domain name of domain id '${id}', maybe this domain does not exist.\n`);
    return 1;
  }
  ctx.out(`${hit.name}\n`);
  return 0;
};
