/**
 * `xl block-attach / block-detach / network-attach / network-detach`: main_blockattach,
 * main_blockdetach (tools/xl/xl_block.c), main_networkattach, main_networkdetach
 * (xl_nic.c), over the toolstack's device hot-plug (engine/toolstack/device-hotplug.ts).
 *
 *   block-attach <Domain> <disk-spec-component(s)>...   a bad spec prints xlu's line
 *     ("command line: config parsing error in disk specification: ...") and exits 1;
 *     libxl refusing prints its line and "libxl_device_disk_add failed.", exit 1.
 *     With -N (dry run) xl prints "disk: " and the disk's JSON (network-attach: "vif: ").
 *   block-detach [-f] <Domain> <DevId>   "Error: Device X not connected." when the
 *     domain has no such vdev; a failed removal "libxl_device_disk_safe_remove failed."
 *     (or _destroy with -f).
 *   network-attach <Domain> [KEY=VALUE...]   failure "libxl_device_nic_add failed."
 *   network-detach <Domain> <DevId|mac>   "Unknown device X.", or "libxl_device_nic_del failed."
 *
 * xl does not write the device into the domain's config file, and neither does XenDeck.
 */
import type { XlCommand } from '../context';
import { findDomain, qualifierToDomid } from '../find-domain';
import { xlGetopt } from '../getopt';
import { diskStatLines, libxlError, type LibxlSite } from '../libxl-log';
import { asToolstackError } from '../toolstack-failure';
import { parseDiskSpecs } from '../../../toolstack/config/disk-spec';
import { parseVifSpec } from '../../../toolstack/config/vif-spec';
import { yajlBeautify, type YajlValue } from '../format/yajl-json';

/** libxl's log sites of "device already exists in xenstore" (Xen 4.17.7). */
const SITE_DISK_EXISTS: LibxlSite = { file: 'libxl_disk.c', line: 343, fn: 'device_disk_add' };
const SITE_NIC_EXISTS: LibxlSite = { file: 'libxl_device.c', line: 1998, fn: 'libxl__device_add_async' };

function libxlLine(site: LibxlSite, domid: number, message: string, code: string): string {
  return code === 'EEXIST' ? libxlError(site, domid, message) : `${message}\n`;
}

export const blockAttach: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'block-attach', args, '', [], 2);
  const host = await ctx.host();
  // main_blockattach resolves the domain itself, without find_domain's rc
  const domid = await qualifierToDomid(host, operands[0]!);
  if (domid === undefined) {
    ctx.err(`${operands[0]!} is an invalid domain identifier\n`);
    return 1;
  }
  const spec = operands.slice(1);
  if (ctx.globals.dryRun) {
    // parse_disk_config_multistring, then printf("disk: %s\n", libxl_device_disk_to_json)
    const r = parseDiskSpecs(spec);
    if (r.errors.length > 0) {
      ctx.err(`command line: ${r.errors[0]!}\n`);
      return 1;
    }
    ctx.out(`disk: ${yajlBeautify(r.disk as unknown as YajlValue)}\n`);
    return 0;
  }
  try {
    await host.blockAttach(domid, spec);
  } catch (e) {
    const err = asToolstackError(e);
    if (err.code === 'ECONFIG') {
      ctx.err(`${err.message}\n`);
      return 1;
    }
    // device_disk_add: the target is not in dom0 (disk-set-backend.ts)
    ctx.err(diskStatLines(err.message) ?? libxlLine(SITE_DISK_EXISTS, domid, err.message, err.code));
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
  const host = await ctx.host();
  const domid = await findDomain(ctx, host, operands[0]!);
  const rest = operands.slice(1);
  if (ctx.globals.dryRun) {
    // parse_nic_config per argument on a nic with devid -1, then printf("vif: %s\n", ...)
    const r = parseVifSpec(rest.join(','), -1);
    for (const w of r.warnings) ctx.err(`${w}\n`);
    if (r.error) {
      ctx.err(`${r.error}\n`);
      return 1;
    }
    ctx.out(`vif: ${yajlBeautify(r.nic as unknown as YajlValue)}\n`);
    return 0;
  }
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
