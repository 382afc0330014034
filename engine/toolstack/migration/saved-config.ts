/**
 * The domain config a save file carries: libxl_domain_config as JSON (xl_saverestore.c
 * save_domain_core_begin: libxl_retrieve_domain_configuration, c_info.domid 0 unless
 * -D, libxl_domain_config_to_json), in the shape `xl list -l` prints
 * (engine/cli/xl/format/domain-config-json.ts, the one writer of that shape).
 *
 * On restore xl reads it back with libxl_domain_config_from_json. Here the JSON is read
 * into the toolstack's build info and written out as the equivalent xl.cfg, which the
 * same parser as `xl create` then checks — so a save file edited by hand is judged by
 * the rules a config file is, with errors naming "<saved>" and a line. Disks and vifs
 * come back in their key=value forms (the restored domain gets the same devices, and
 * its guest's frontends reconnect to them).
 */
import { keptConfigJson } from '../../cli/xl/format/domain-config-json';
import { SHUTDOWN_ACTIONS, type DomainBuildInfoJson, type DomainSummary, type ShutdownAction } from '../types';
import { streamError } from './stream-error';

/**
 * `onlineVcpus`: the vCPUs online now — libxl_retrieve_domain_configuration reads
 * avail_vcpus back from the running domain, so an `xl vcpu-set` before the save holds.
 */
export function savedConfigJson(d: DomainSummary, b: DomainBuildInfoJson, onlineVcpus: number[]): string {
  const j = keptConfigJson(d, b) as { config: { c_info: Record<string, unknown>; b_info: Record<string, unknown> } };
  j.config.c_info['domid'] = 0;
  j.config.b_info['avail_vcpus'] = onlineVcpus;
  return JSON.stringify(j.config, null, 4);
}

type Json = Record<string, unknown>;

function obj(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw streamError(`saved domain config: ${what} is not an object`);
  return v as Json;
}

function str(o: Json, k: string, what: string): string | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw streamError(`saved domain config: ${what}.${k} is not a string`);
  return v;
}

function int(o: Json, k: string, what: string): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw streamError(`saved domain config: ${what}.${k} is not a non-negative integer`);
  return v;
}

/** libxl_action_on_shutdown from its JSON string ("restart_rename" is rename-restart). */
function action(o: Json, k: string): ShutdownAction | undefined {
  const v = str(o, k, 'config');
  if (v === undefined) return undefined;
  const a = v === 'restart_rename' ? 'rename-restart' : v.replace(/_/g, '-');
  if (!(SHUTDOWN_ACTIONS as readonly string[]).includes(a)) throw streamError(`saved domain config: unknown ${k} action "${v}"`);
  return a as ShutdownAction;
}

/** The xl.cfg equivalent of a saved libxl_domain_config JSON. */
export function xlCfgFromSavedJson(text: string): string {
  let root: Json;
  try {
    root = obj(JSON.parse(text), 'the config');
  } catch (e) {
    if (e instanceof SyntaxError) throw streamError(`saved domain config is not valid JSON: ${e.message}`);
    throw e;
  }
  const c = obj(root['c_info'], 'c_info');
  const b = obj(root['b_info'], 'b_info');
  const type = str(c, 'type', 'c_info');
  if (type !== 'pv' && type !== 'pvh' && type !== 'hvm') throw streamError(`saved domain config: c_info.type ${JSON.stringify(type)} (pv, pvh or hvm)`);
  const name = str(c, 'name', 'c_info');
  if (!name) throw streamError('saved domain config: c_info.name is missing');
  const maxVcpus = int(b, 'max_vcpus', 'b_info') ?? 1;
  const avail = b['avail_vcpus'];
  const vcpus = Array.isArray(avail) ? avail.length : maxVcpus;
  const targetKb = int(b, 'target_memkb', 'b_info');
  const maxKb = int(b, 'max_memkb', 'b_info');
  const lines: string[] = [`name = ${q(name)}`, `type = ${q(type)}`];
  const uuid = str(c, 'uuid', 'c_info');
  if (uuid) lines.push(`uuid = ${q(uuid)}`);
  const pool = str(c, 'pool_name', 'c_info');
  if (pool) lines.push(`pool = ${q(pool)}`);
  lines.push(`vcpus = ${Math.max(1, vcpus)}`, `maxvcpus = ${maxVcpus}`);
  if (targetKb !== undefined) lines.push(`memory = ${Math.ceil(targetKb / 1024)}`);
  if (maxKb !== undefined) lines.push(`maxmem = ${Math.ceil(maxKb / 1024)}`);
  for (const k of ['kernel', 'ramdisk', 'cmdline'] as const) {
    const v = str(b, k, 'b_info');
    if (v !== undefined) lines.push(`${k} = ${q(v)}`);
  }
  const u = b[`type.${type}`];
  const boot = u !== undefined ? str(obj(u, `b_info.type.${type}`), 'boot', `b_info.type.${type}`) : undefined;
  if (boot !== undefined) lines.push(`boot = ${q(boot)}`);
  for (const k of ['on_poweroff', 'on_reboot', 'on_crash', 'on_soft_reset'] as const) {
    // libxl's JSON leaves out actions equal to the default of the enum (destroy)
    const a = action(root, k) ?? 'destroy';
    lines.push(`${k} = ${q(a)}`);
  }
  const disks = listOf(root, 'disks').map(diskSpec);
  if (disks.length > 0) lines.push(`disk = [ ${disks.map(q).join(', ')} ]`);
  const nics = listOf(root, 'nics').map(vifSpec);
  if (nics.length > 0) lines.push(`vif = [ ${nics.map(q).join(', ')} ]`);
  return `${lines.join('\n')}\n`;
}

function listOf(root: Json, k: string): Json[] {
  const v = root[k];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw streamError(`saved domain config: ${k} is not a list`);
  return v.map((e, i) => obj(e, `${k}[${i}]`));
}

/**
 * A libxl_device_disk back as xl-disk-configuration(5)'s key=value form; target last,
 * as it may hold commas.
 */
function diskSpec(d: Json, i: number): string {
  const what = `disks[${i}]`;
  const vdev = str(d, 'vdev', what);
  if (!vdev) throw streamError(`saved domain config: ${what}.vdev is missing`);
  const parts = [`vdev=${vdev}`];
  const format = str(d, 'format', what);
  if (format) parts.push(`format=${format}`);
  const backend = str(d, 'backend', what);
  if (backend) parts.push(`backendtype=${backend}`);
  parts.push(`access=${int(d, 'readwrite', what) === 0 ? 'ro' : 'rw'}`);
  if (int(d, 'is_cdrom', what) === 1) parts.push('devtype=cdrom');
  const script = str(d, 'script', what);
  if (script) parts.push(`script=${script}`);
  const target = str(d, 'pdev_path', what);
  if (target !== undefined) parts.push(`target=${target}`);
  return parts.join(',');
}

/** A libxl_device_nic back as xl-network-configuration(5)'s key=value form. */
function vifSpec(n: Json, i: number): string {
  const what = `nics[${i}]`;
  const parts: string[] = [];
  for (const [key, field] of [
    ['mac', 'mac'],
    ['bridge', 'bridge'],
    ['ip', 'ip'],
    ['model', 'model'],
    ['vifname', 'ifname'],
    ['script', 'script'],
    ['gatewaydev', 'gatewaydev'],
  ] as const) {
    const v = str(n, field, what);
    if (v !== undefined) parts.push(`${key}=${v}`);
  }
  const nictype = str(n, 'nictype', what);
  if (nictype) parts.push(`type=${nictype === 'vif_ioemu' ? 'ioemu' : 'vif'}`);
  const bytes = int(n, 'rate_bytes_per_interval', what);
  const usecs = int(n, 'rate_interval_usecs', what);
  if (bytes !== undefined && usecs !== undefined && usecs > 0) parts.push(`rate=${Math.round((bytes * 1e6) / usecs)}B/s@${usecs}us`);
  return parts.join(',');
}

/** An xl.cfg string: double quotes, with the escapes libxlutil's lexer undoes. */
function q(s: string): string {
  return `"${s.replace(/[\\"]/g, (m) => `\\${m}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

