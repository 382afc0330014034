/**
 * `xl block-attach / block-detach / network-attach / network-detach`: main_blockattach,
 * main_blockdetach (tools/xl/xl_block.c), main_networkattach, main_networkdetach
 * (xl_nic.c), over the toolstack's device hot-plug (engine/toolstack/device-hotplug.ts).
 *
 *   block-attach <Domain> <disk-spec-component(s)>...   a bad spec prints xlu's line
 *     ("command line: config parsing error in disk specification: ...") and exits 1;
 *     libxl refusing prints its line and "libxl_device_disk_add failed.", exit 1.
 *     With -N (dry run) xl prints "disk: " and the disk's JSON; not here (ENOSYS).
 *   block-detach [-f] <Domain> <DevId>   "Error: Device X not connected." when the
 *     domain has no such vdev; a failed removal "libxl_device_disk_safe_remove failed."
 *     (or _destroy with -f).
 *   network-attach <Domain> [KEY=VALUE...]   failure "libxl_device_nic_add failed."
 *   network-detach <Domain> <DevId|mac>   "Unknown device X.", or "libxl_device_nic_del failed."
 *
 * xl does not write the device into the domain's config file, and neither does XenDeck.
 */
import type { XlCommand } from '../context';
import { findDomain } from '../find-domain';
import { xlGetopt } from '../getopt';
import { libxlError, type LibxlSite } from '../libxl-log';
import { notImplemented } from '../not-implemented';
import { asToolstackError } from '../toolstack-failure';

/** libxl's log sites of "device already exists in xenstore" (Xen 4.17.7). */
const SITE_DISK_EXISTS: LibxlSite = { file: 'libxl_disk.c', line: 343, fn: 'device_disk_add' };
const SITE_NIC_EXISTS: LibxlSite = { file: 'libxl_device.c', line: 1998, fn: 'libxl__device_add_async' };

function libxlLine(site: LibxlSite, domid: number, message: string, code: string): string {
  return code === 'EEXIST' ? libxlError(site, domid, message) : `${message}\n`;
}

export const blockAttach: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'block-attach', args, '', [], 2);
  if (ctx.globals.dryRun) notImplemented(ctx, '-N block-attach (the disk as JSON)');
  const host = await ctx.host();
  const domid = await findDomain(ctx, host, operands[0]!);
  const spec = operands.slice(1);
  try {
    await host.blockAttach(domid, spec);
  } catch (e) {
    const err = asToolstackError(e);
    if (err.code === 'ECONFIG') {
      ctx.err(`${err.message}\n`);
      return 1;
    }
    ctx.err(libxlLine(SITE_DISK_EXISTS, domid, err.message, err.code));
    ctx.err('libxl_device_disk_add failed.\n');
    return 1;
  }
  await ctx.record({ op: 'block-attach', domid, spec });
  return 0;
};

export const blockDetach: XlCommand = async (ctx, args) => {
  const { opts, operands } = xlGetopt(ctx.io, 'block-detach', args, 'f', [{ name: 'force', hasArg: false, val: 'f' }], 2);
  const force = opts.some((o) => o.opt === 'f');
  const host = await ctx.host();
  const domid = await findDomain(ctx, host, operands[0]!);
  const vdev = operands[1]!;
  try {
    await host.blockDetach(domid, vdev, { force });
  } catch (e) {
    const err = asToolstackError(e);
    if (err.code === 'ENOENT') {
      ctx.err(`${err.message}\n`);
      return 1;
    }
    ctx.err(`${err.message}\n`);
    ctx.err(`libxl_device_disk_${force ? 'destroy' : 'safe_remove'} failed.\n`);
    return 1;
  }
  await ctx.record({ op: 'block-detach', domid, vdev, force });
  return 0;
};

export const networkAttach: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'network-attach', args, '', [], 1);
  if (ctx.globals.dryRun) notImplemented(ctx, '-N network-attach (the vif as JSON)');
  const host = await ctx.host();
  const domid = await findDomain(ctx, host, operands[0]!);
  const rest = operands.slice(1);
  let warnings: string[];
  try {
    warnings = (await host.networkAttach(domid, rest)).warnings;
  } catch (e) {
    const err = asToolstackError(e);
    ctx.err(err.code === 'ECONFIG' ? `${err.message}\n` : libxlLine(SITE_NIC_EXISTS, domid, err.message, err.code));
    if (err.code !== 'ECONFIG') ctx.err('libxl_device_nic_add failed.\n');
    return 1;
  }
  for (const w of warnings) ctx.err(`${w}\n`);
  await ctx.record({ op: 'network-attach', domid, args: rest });
  return 0;
};

export const networkDetach: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'network-detach', args, '', [], 2);
  const host = await ctx.host();
  const domid = await findDomain(ctx, host, operands[0]!);
  const dev = operands[1]!;
  try {
    await host.networkDetach(domid, dev);
  } catch (e) {
    const err = asToolstackError(e);
    ctx.err(`${err.message}\n`);
    if (err.code !== 'ENOENT') ctx.err('libxl_device_nic_del failed.\n');
    return 1;
  }
  await ctx.record({ op: 'network-detach', domid, dev });
  return 0;
};
