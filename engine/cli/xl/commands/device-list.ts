/**
 * `xl block-list Domain...` and `xl network-list Domain...`: main_blocklist()
 * (tools/xl/xl_block.c) and main_networklist() (tools/xl/xl_nic.c), with their formats:
 *
 *   Vdev  BE  handle state evt-ch ring-ref BE-path
 *   51712 0   1      4     12     8        /local/domain/0/backend/vbd/1/51712
 *
 *   Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path
 *   0   0  00:16:3e:5a:1b:2c      0     4     13   768/769         /local/domain/0/backend/vif/1/0
 *
 * block-list's "handle" column is the frontend domid (diskinfo.frontend_id); state,
 * evt-ch and ring refs are the frontend's, -1 while the guest has not written them. A
 * name that is no domain: block-list says so and goes on, network-list stops (find_domain).
 */
import type { XlCommand } from '../context';
import { findDomain, qualifierToDomid } from '../find-domain';
import { xlGetopt } from '../getopt';

const pad = (v: string | number, w: number): string => String(v).padEnd(w);
const padStart = (v: string | number, w: number): string => String(v).padStart(w);

export const blockList: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'block-list', args, '', [], 1);
  const host = await ctx.host();
  ctx.out(`${pad('Vdev', 5)} ${pad('BE', 3)} ${pad('handle', 6)} ${pad('state', 5)} ${pad('evt-ch', 6)} ${pad('ring-ref', 8)} ${pad('BE-path', 30)}\n`);
  for (const arg of operands) {
    const domid = await qualifierToDomid(host, arg);
    if (domid === undefined) {
      ctx.err(`${arg} is an invalid domain identifier\n`);
      continue;
    }
    const devs = await host.domainDevices(domid).catch(() => undefined);
    for (const d of devs?.disks ?? []) {
      ctx.out(`${pad(d.devid, 5)} ${pad(d.backendDomid, 3)} ${pad(domid, 6)} ${pad(d.state, 5)} ${pad(d.evtch, 6)} ${pad(d.ringRef, 8)} ${pad(d.backendPath, 30)}\n`);
    }
  }
  return 0;
};

export const networkList: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'network-list', args, '', [], 1);
  const host = await ctx.host();
  ctx.out(`${pad('Idx', 3)} ${pad('BE', 2)} ${pad('Mac Addr.', 17)} ${pad('handle', 6)} ${pad('state', 5)} ${pad('evt-ch', 6)} ${padStart('tx-', 5)}/${pad('rx-ring-ref', 5)} ${pad('BE-path', 30)}\n`);
  for (const arg of operands) {
    const domid = await findDomain(ctx, host, arg);
    // libxl_device_nic_list of a domain that does not exist gives nothing
    const devs = await host.domainDevices(domid).catch(() => undefined);
    for (const n of devs?.nics ?? []) {
      ctx.out(`${pad(n.devid, 3)} ${pad(n.backendDomid, 2)} ${n.mac}${padStart(n.devid, 6)} ${padStart(n.state, 5)} ${padStart(n.evtch, 6)} ${padStart(n.txRingRef, 5)}/${pad(n.rxRingRef, 11)} ${pad(n.backendPath, 30)}\n`);
    }
  }
  return 0;
};

