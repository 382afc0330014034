/**
 * find_domain() of tools/xl/xl_utils.c over libxl_domain_qualifier_to_domid(): a string of
 * digits is taken as a domid without asking the hypervisor (so `xl destroy 99` reaches
 * libxl, which then reports the missing domain), anything else must be the name of a
 * domain, or xl says "NAME is an invalid domain identifier (rc=-6)" and exits 1.
 */
import type { XlContext, XlHost } from './context';
import { XlExit } from './io';
import { LIBXL_RC } from './libxl-log';

export async function findDomain(ctx: XlContext, host: XlHost, p: string): Promise<number> {
  if (/^\d*$/.test(p)) return Number(p); // "" is domid 0, as strtoul gives
  const hit = (await host.listDomains()).find((d) => d.name === p);
  if (!hit) {
    ctx.err(`${p} is an invalid domain identifier (rc=${LIBXL_RC.INVAL})\n`);
    throw new XlExit(1);
  }
  return hit.domid;
}

/**
 * libxl_domain_qualifier_to_domid as main_blockattach and main_blocklist call it
 * themselves: digits are a domid, else a name that must exist; undefined when it does
 * not (they print "NAME is an invalid domain identifier" without find_domain's rc).
 */
export async function qualifierToDomid(host: XlHost, p: string): Promise<number | undefined> {
  if (/^\d+$/.test(p)) return Number(p);
  return (await host.listDomains()).find((d) => d.name === p)?.domid;
}
