/**
 * `xl uptime [-s] [Domain...]`: main_uptime() / print_uptime() of tools/xl/xl_info.c.
 * Domain-0's uptime is the host's; a guest's runs from its creation. On the embedded
 * host both come from the simulated clock, which only moves when something drives the
 * engine — a lab run by `xl` alone stays at the instant it booted.
 */
import { domainsByDomid } from '../domain-order';
import type { XlCommand, XlHost } from '../context';
import { findDomain } from '../find-domain';
import { uptimeLong, uptimeShort, type UptimeRow } from '../format/uptime';
import { xlGetopt } from '../getopt';

export const uptime: XlCommand = async (ctx, args) => {
  const { opts, operands } = xlGetopt(ctx.io, 'uptime', args, 's', [], 0);
  const short = opts.some((o) => o.opt === 's');
  const host = await ctx.host();
  const all = await domainsByDomid(host);
  let ids: number[];
  if (operands.length === 0) ids = all.map((d) => d.domid);
  else {
    ids = [];
    for (const p of operands) ids.push(await findDomain(ctx, host, p));
  }
  const nowNs = (await host.summary()).nowNs;
  const rows: UptimeRow[] = [];
  for (const id of ids) {
    const d = all.find((x) => x.domid === id);
    if (!d) continue; // print_domU_uptime: no start time, nothing printed
    rows.push({ name: d.name, domid: d.domid, uptimeS: (nowNs - (await startNs(host, id))) / 1e9 });
  }
  ctx.out(short ? uptimeShort(rows, timeOfDay(new Date())) : uptimeLong(rows));
  return 0;
};

async function startNs(host: XlHost, domid: number): Promise<number> {
  return (await host.keptConfig(domid))?.createdNs ?? 0;
}

/** current_time_to_string(): the local time of day, "%H:%M:%S". */
function timeOfDay(d: Date): string {
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
