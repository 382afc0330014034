/**
 * `xl cpupool-numa-split`: one CPU pool per NUMA node (main_cpupoolnumasplit in
 * tools/xl/xl_cpupool.c). The sequence itself is engine/toolstack/cpupool-numa-split.ts,
 * shared with the GUI; this prints xl's message on failure and exits 1, as xl does.
 */
import { cpupoolNumaSplit } from '../../../toolstack/cpupool-numa-split';
import type { XlCommand } from '../context';
import { xlGetopt } from '../getopt';
import { asToolstackError } from '../toolstack-failure';

export const cpupoolNumaSplitCommand: XlCommand = async (ctx, args) => {
  xlGetopt(ctx.io, 'cpupool-numa-split', args, '', [], 0);
  const host = await ctx.host();
  try {
    await cpupoolNumaSplit(host);
  } catch (e) {
    ctx.err(`${asToolstackError(e).message}\n`);
    return 1;
  }
  await ctx.record({ op: 'cpupool-numa-split' });
  return 0;
};
