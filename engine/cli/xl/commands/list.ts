/**
 * `xl list [-l] [-v] [-Z] [-c] [Domain]`: main_list() of tools/xl/xl_info.c. One domain
 * is looked up with find_domain (a bad name: rc=-6, exit 1; an unused domid: "Error:
 * Domain '%s' does not exist.", exit 1); two or more operands print the help, exit 1.
 * -l prints the libxl JSON of each domain's config instead of the table. -n adds each
 * domain's NODE Affinity (engine/toolstack/node-affinity.ts).
 */
import { domainsByDomid } from '../domain-order';
import type { XlCommand } from '../context';
import { bareDomainJson, keptConfigJson } from '../format/domain-config-json';
import { listDomains } from '../format/list';
import { yajlBeautify } from '../format/yajl-json';
import { findDomain } from '../find-domain';
import { xlGetopt } from '../getopt';
import { helpText } from '../help';
import { domainNodeAffinity } from '../../../toolstack/node-affinity';

const LONGOPTS = [
  { name: 'long', hasArg: false, val: 'l' },
  { name: 'verbose', hasArg: false, val: 'v' },
  { name: 'context', hasArg: false, val: 'Z' },
  { name: 'cpupool', hasArg: false, val: 'c' },
  { name: 'numa', hasArg: false, val: 'n' },
];

export const list: XlCommand = async (ctx, args) => {
  const { opts, operands } = xlGetopt(ctx.io, 'list', args, 'lvhZcn', LONGOPTS, 0);
  const has = (c: string): boolean => opts.some((o) => o.opt === c);
  if (operands.length > 1) {
    ctx.out(helpText('list'));
    return 1;
  }
  const host = await ctx.host();
  let domains = await domainsByDomid(host);
  if (operands.length === 1) {
    const domid = await findDomain(ctx, host, operands[0]!);
    domains = domains.filter((d) => d.domid === domid);
    if (domains.length === 0) {
      ctx.err(`Error: Domain '${operands[0]}' does not exist.\n`);
      return 1;
    }
  }
  if (has('l')) {
    const kept = await Promise.all(domains.map((d) => host.keptConfig(d.domid)));
    const items = domains.map((d, i) => {
      const k = kept[i];
      return k ? keptConfigJson(d, k.buildInfo) : bareDomainJson(d);
    });
    // list_domains_details: yajl's buffer, then puts() adds one more newline
    ctx.out(yajlBeautify(items) + '\n');
    return 0;
  }
  let numa: { nrNodes: number; nodes: Map<number, number[]> } | undefined;
  if (has('n')) {
    const topo = await host.topology();
    numa = { nrNodes: topo.nrNodes, nodes: new Map(await Promise.all(domains.map(async (d) => [d.domid, await domainNodeAffinity(host, d.domid)] as [number, number[]]))) };
  }
  ctx.out(listDomains(domains, { verbose: has('v'), context: has('Z'), cpupool: has('c'), ...(numa ? { numa } : {}) }));
  return 0;
};
