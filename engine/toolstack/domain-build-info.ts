/**
 * From xl.cfg settings to the part of libxl's domain config XenDeck builds, following
 * tools/xl/xl_parse.c (parse_config_data) and libxl's defaults
 * (libxl__domain_build_info_setdefault), with their messages:
 *   - name is required: "Domain name must be specified."
 *   - type is matched as a prefix, hvm then pv then pvh (strncmp(buf, "hvm", strlen(buf)),
 *     so "h" is hvm and "" is hvm too): "Invalid domain type X."
 *   - memory / maxmem are MiB in the file and KiB in libxl; maxmem defaults to memory,
 *     both default to 32 MiB (LIBXL_MEMKB_DEFAULT resolved to 32 * 1024).
 *   - vcpus < 1 is taken as 1; maxvcpus defaults to vcpus; "xl: maxvcpus < vcpus".
 *   - on_poweroff / on_reboot / on_crash default to destroy / restart / destroy;
 *     on_soft_reset to soft-reset (libxl_domain_config_init).
 *   - boot (HVM only, xlu_cfg_replace_string into u.hvm.boot): the firmware's boot order,
 *     libxl default "cda". libxl passes it to QEMU as -boot order=..., and QEMU's PC
 *     machine refuses what it cannot boot (hw/i386/pc.c pc_boot_set / validate_bootdevices:
 *     "Invalid boot device for PC: 'x'", "Boot device 'c' was given twice"): here the
 *     same check is made at parse time, so a bad order never builds a domain.
 * Where this file refuses something with a message not taken from xl or libxl (maxmem
 * below memory, a non-positive memory, an unknown on_* action, a bad cpuid item), the
 * wording is XenDeck's own and says which key and value are wrong; the file:line is xl's
 * form.
 */
import { refuseUnmodelledKeys } from './config/unmodelled-keys';
import { configError, getDefbool, getLongLenient, getString } from './config/cfg-get';
import { parseVcpuAffinity } from './config/cpu-affinity';
import type { CpuRangeContext } from './config/cpu-range';
import { parseDeviceLists } from './config/device-lists';
import { buildHvm, topLevelDisplay } from './config/hvm-build';
import { parseXendCpuid, type CpuidChange, type XendCpuidEntry } from './config/xend-cpuid';
import { getLong, parseXlCfg, type XlCfgParse } from './config/xlcfg-parser';
import type { YajlValue } from './config/libxl-json';
import { ToolstackError } from './toolstack-error';
import { SHUTDOWN_ACTIONS, type DomainBuildInfoJson, type DomainTypeName, type ShutdownAction } from './types';

/**
 * What the config reader needs of the host: its pCPUs and NUMA nodes (cpus="nodes:1").
 * Without a host (a bare parse) it is the 8-pCPU, 1-node host the xl dry-run shim
 * reports (shared/reference/real-xen/xl-dryrun-shim.c), so results compare with real xl.
 */
export type ConfigHostFacts = CpuRangeContext;
export const DRY_RUN_HOST: ConfigHostFacts = { nrCpus: 8, nodeCpus: [[0, 1, 2, 3, 4, 5, 6, 7]] };


export const DEFAULT_MEMORY_MIB = 32;

export interface ParsedDomainConfig {
  buildInfo: DomainBuildInfoJson;
  warnings: string[];
}

/** `xl create cfg key=value`: each extra argument is appended as a line of the config. */
export function withOverrides(text: string, overrides: readonly string[] = []): string {
  if (overrides.length === 0) return text;
  return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}${overrides.join('\n')}\n`;
}

export function parseDomainConfig(text: string, file = 'config', host: ConfigHostFacts = DRY_RUN_HOST): ParsedDomainConfig {
  const cfg = parseXlCfg(text, file);
  if (cfg.errors.length > 0) throw ToolstackError.from(cfg.errors[0]);
  try {
    return build(cfg, host);
  } catch (e) {
    throw ToolstackError.from(e);
  }
}

function build(cfg: XlCfgParse, host: ConfigHostFacts): ParsedDomainConfig {
  const warnings: string[] = [];
  const name = getString(cfg, 'name');
  if (name === undefined || name === '') {
    throw new ToolstackError('ECONFIG', 'Domain name must be specified.', 'Add a line such as name = "guest1"');
  }
  const type = domainType(cfg);
  refuseUnmodelledKeys(cfg);
  let kernel = getString(cfg, 'kernel');
  // xm compatibility: an HVM guest's kernel="…/hvmloader" was its firmware; xl drops it
  if (type === 'hvm' && kernel !== undefined && basename(kernel) === 'hvmloader') {
    warnings.push(
      'WARNING: you seem to be using "kernel" directive to override HVM guest firmware. Ignore that. Use "firmware_override" instead if you really want a non-default firmware',
    );
    kernel = undefined;
  }

  const memory = getLong(cfg, 'memory');
  const maxmem = getLong(cfg, 'maxmem');
  for (const [key, v] of [['memory', memory], ['maxmem', maxmem]] as const) {
    if (v !== undefined && v <= 0) throw configError(cfg, key, `${key} must be a positive number of MiB, got ${v}`);
  }
  const targetMiB = memory ?? maxmem ?? DEFAULT_MEMORY_MIB;
  const maxMiB = maxmem ?? targetMiB;
  if (maxMiB < targetMiB) {
    throw configError(cfg, 'maxmem', `maxmem (${maxMiB} MiB) is less than memory (${targetMiB} MiB)`);
  }

  let vcpus = getLong(cfg, 'vcpus') ?? 1;
  if (vcpus < 1) vcpus = 1;
  const maxVcpus = getLong(cfg, 'maxvcpus') ?? vcpus;
  if (maxVcpus < vcpus) throw new ToolstackError('ECONFIG', 'xl: maxvcpus < vcpus');

  const action = (key: string, dflt: ShutdownAction): ShutdownAction => {
    const v = getString(cfg, key);
    if (v === undefined) return dflt;
    if (!(SHUTDOWN_ACTIONS as readonly string[]).includes(v)) {
      throw configError(cfg, key, `Unknown ${key} action "${v}" specified (one of ${SHUTDOWN_ACTIONS.join(', ')})`);
    }
    return v as ShutdownAction;
  };

  const pool = getString(cfg, 'pool');
  const uuid = getString(cfg, 'uuid');
  if (uuid !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uuid)) {
    throw configError(cfg, 'uuid', `Failed to parse UUID: ${uuid}`);
  }
  const cmdline = getString(cfg, 'cmdline') ?? joinDefined([getString(cfg, 'root') && `root=${getString(cfg, 'root')}`, getString(cfg, 'extra')]);
  const ramdisk = getString(cfg, 'ramdisk');
  const xend: { entries?: XendCpuidEntry[] } = {};
  const cpuid = parseCpuid(cfg, warnings, xend);
  const boot = type === 'hvm' ? getString(cfg, 'boot') : undefined;
  if (boot !== undefined) checkBootOrder(cfg, boot);
  const onSoftReset = getString(cfg, 'on_soft_reset') !== undefined ? action('on_soft_reset', 'soft-reset') : undefined;
  const hard = affinity(cfg, 'cpus', maxVcpus, host);
  const soft = affinity(cfg, 'cpus_soft', maxVcpus, host);
  const sched = schedParams(cfg, warnings);
  const deviceModel = deviceModelOverride(cfg, warnings);
  const devices = parseDeviceLists(cfg, warnings, type);
  let hvm: Record<string, YajlValue> | undefined;
  let pv: Record<string, YajlValue> | undefined;
  if (type === 'pv') {
    // e820_host: the host's memory map, needed for PCI passthrough (forced on with pci=)
    const e820 = devices.pcidevs?.length ? 'True' : getDefbool(cfg, 'e820_host', warnings);
    if (e820) pv = { e820_host: e820 };
  }
  if (type === 'hvm') {
    const h = buildHvm(cfg);
    hvm = h.hvm;
    warnings.push(...h.warnings);
  } else if (type === 'pv' && !devices.vfbs) {
    // a PV guest's top-level vnc=1 becomes a vfb (and its vkb), unless vfb= is given
    const vnc = getLongLenient(cfg, 'vnc', warnings);
    if (vnc) {
      const { vnc: v, sdl } = topLevelDisplay(cfg, warnings);
      const keymap = getString(cfg, 'keymap');
      devices.vfbs = [{ devid: 0, vnc: v, sdl, ...(keymap !== undefined ? { keymap } : {}) }];
      devices.vkbs = [{ devid: 0 }];
    }
  }

  return {
    warnings,
    buildInfo: {
      c_info: { type, name, ...(uuid ? { uuid: uuid.toLowerCase() } : {}), ...(pool ? { pool_name: pool } : {}) },
      b_info: {
        max_vcpus: maxVcpus,
        avail_vcpus: Array.from({ length: vcpus }, (_, i) => i),
        ...(hard ? { vcpu_hard_affinity: hard.maps } : {}),
        ...(soft ? { vcpu_soft_affinity: soft.maps } : {}),
        // xl turns automatic NUMA placement off for a list of maps, or once soft affinity is given
        ...(hard?.list || soft ? { numa_placement: 'False' as const } : {}),
        max_memkb: maxMiB * 1024,
        target_memkb: targetMiB * 1024,
        ...deviceModel,
        ...(sched ? { sched_params: sched } : {}),
        ...(kernel ? { kernel } : {}),
        ...(ramdisk ? { ramdisk } : {}),
        ...(cmdline ? { cmdline } : {}),
        ...(cpuid ? { cpuid } : {}),
        ...(xend.entries?.length ? { cpuid_xend: xend.entries } : {}),
        ...(boot !== undefined ? { boot } : {}),
        ...(hvm ? { hvm } : {}),
        ...(pv ? { pv } : {}),
      },
      ...devices,
      on_poweroff: action('on_poweroff', 'destroy'),
      on_reboot: action('on_reboot', 'restart'),
      on_crash: action('on_crash', 'destroy'),
      ...(onSoftReset ? { on_soft_reset: onSoftReset } : {}),
    },
  };
}

/** QEMU's PC boot devices: a, b floppy; c hard disk; d cd-rom; n-p network. */
function checkBootOrder(cfg: XlCfgParse, boot: string): void {
  const seen = new Set<string>();
  for (const ch of boot) {
    if (!/[a-dn-p]/.test(ch)) throw configError(cfg, 'boot', `Invalid boot device for PC: '${ch}' (a, b floppy; c disk; d cd-rom; n network)`);
    if (seen.has(ch)) throw configError(cfg, 'boot', `Boot device '${ch}' was given twice`);
    seen.add(ch);
  }
}

/** The `type` key and its older spelling `builder` (xl_parse.c). */
function domainType(cfg: XlCfgParse): DomainTypeName {
  let type: DomainTypeName | undefined;
  const t = getString(cfg, 'type');
  if (t !== undefined) {
    type = (['hvm', 'pv', 'pvh'] as const).find((k) => k.startsWith(t));
    if (!type) throw new ToolstackError('ECONFIG', `Invalid domain type ${t}.`, 'type is one of pv, pvh, hvm');
  }
  const b = getString(cfg, 'builder');
  if (b !== undefined) {
    const fromBuilder: DomainTypeName = 'hvm'.startsWith(b) ? 'hvm' : 'pv';
    if (type !== undefined && type !== fromBuilder) {
      throw new ToolstackError('ECONFIG', 'Contradicting "builder" and "type" options specified.', 'Drop "builder": it is the deprecated spelling of "type"');
    }
    type = fromBuilder;
  }
  return type ?? 'pv';
}


function joinDefined(parts: (string | undefined | '')[]): string | undefined {
  const s = parts.filter((p): p is string => !!p).join(' ');
  return s === '' ? undefined : s;
}

/**
 * `cpuid`: libxl's form, a string "host,NAME=VALUE,..." with VALUE 1 (set) or 0 (clear),
 * or xend's, a list of "leaf[,subleaf]:reg=bits" (config/xend-cpuid.ts).
 */
function parseCpuid(cfg: XlCfgParse, warnings: string[], xendOut: { entries?: XendCpuidEntry[] }): Record<string, CpuidChange> | undefined {
  const s = cfg.settings.get('cpuid');
  if (!s) return undefined;
  if (s.value.kind === 'list') {
    const items = s.value.items.map((v) => (v.kind === 'string' ? v.value : v.kind === 'number' ? v.text : ''));
    const r = parseXendCpuid(items);
    warnings.push(...r.warnings);
    xendOut.entries = r.entries;
    if (r.unmodelled.length > 0) {
      throw new ToolstackError('ENOSYS', `${cfg.file}:${s.line}: cpuid: XenDeck does not model ${r.unmodelled.join('; ')}`, 'Leave those bits as x, or name the feature in libxl\'s form: cpuid = "host,avx=0"');
    }
    return r.changes;
  }
  // libxl's form (xl_parse.c, libxl_cpuid_parse_config): strtok on ',', first word "host",
  // then NAME=VALUE with VALUE 1, 0, x (default), k or s (the host's); a bad item is
  // reported and skipped, as xl does
  const text = s.value.kind === 'string' ? s.value.value : s.value.text;
  const parts = text.split(',').filter((p) => p !== '');
  if (parts.length === 0) return undefined;
  if (parts[0] !== 'host') {
    warnings.push(`while parsing CPUID string: "${text}":`, '  error: first word must be "host"');
    return undefined;
  }
  // (names are libxl's flag names; the embedded host's set_cpu_policy refuses one its
  // policy does not have, naming it)
  const out: Record<string, CpuidChange> = {};
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    const bad = (n: number, why: string): void => void warnings.push(`while parsing CPUID flag: "${p}":`, `  error #${n}: ${why}`);
    if (eq < 0) {
      bad(1, 'missing "=" in key=value');
      continue;
    }
    const name = p.slice(0, eq);
    const v = p.slice(eq + 1);
    if (!/^[01xks]$/.test(v)) {
      bad(3, 'illegal CPUID value (must be: [0|1|x|k|s])');
      continue;
    }
    if (!/^[a-z0-9_.-]+$/.test(name)) {
      bad(2, 'unknown CPUID flag name');
      continue;
    }
    if (v !== 'x') out[name] = v === '1' ? 1 : v === '0' ? 0 : 'k';
  }
  return out;
}

/** cpus / cpus_soft (config/cpu-affinity.ts); xl's errors for a bad range, then exit. */
function affinity(cfg: XlCfgParse, key: 'cpus' | 'cpus_soft', maxVcpus: number, host: ConfigHostFacts): { maps: number[][]; list: boolean } | undefined {
  const s = cfg.settings.get(key);
  if (!s) return undefined;
  const r = parseVcpuAffinity(s.value, maxVcpus, host);
  if (!r.ok) throw configError(cfg, key, r.message);
  return { maps: r.maps, list: s.value.kind === 'list' };
}

/**
 * Scheduler parameters (xl_parse.c): cpu_weight, cap, period, slice, latency, extratime,
 * in libxl_domain_sched_params order; budget has no xl.cfg key in 4.17. extratime has no
 * effect under RTDS on 4.17: libxl's sched_rtds_domain_set only puts it in putinfo's
 * XEN_DOMCTL_SCHEDRT_extra flag, which rt_dom_cntl() does not read (every vCPU keeps the
 * extratime rt_alloc_udata gave it), and libxl prints nothing about it.
 */
function schedParams(cfg: XlCfgParse, warnings: string[]): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  const keys: [string, string][] = [['cpu_weight', 'weight'], ['cap', 'cap'], ['period', 'period'], ['extratime', 'extratime'], ['slice', 'slice'], ['latency', 'latency']];
  for (const [key, field] of keys) {
    const v = getLongLenient(cfg, key, warnings);
    if (v !== undefined && v !== -1) out[field] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * device_model (xm) is ignored with xl's warning; device_model_override names the
 * device model binary; device_model_version is qemu-xen or qemu-xen-traditional.
 */
function deviceModelOverride(cfg: XlCfgParse, warnings: string[]): { device_model_version?: 'qemu_xen' | 'qemu_xen_traditional'; device_model?: string } {
  if (getString(cfg, 'device_model') !== undefined) {
    warnings.push('WARNING: ignoring device_model directive.', 'WARNING: Use "device_model_override" instead if you really want a non-default device_model');
  }
  const dm = getString(cfg, 'device_model_override');
  const v = getString(cfg, 'device_model_version');
  if (v !== undefined && v !== 'qemu-xen' && v !== 'qemu-xen-traditional') {
    throw configError(cfg, 'device_model_version', `Unknown device_model_version "${v}" specified`);
  }
  if (v === undefined && dm !== undefined) warnings.push('WARNING: device model override given without specific DM version');
  return {
    ...(v !== undefined ? { device_model_version: v === 'qemu-xen' ? ('qemu_xen' as const) : ('qemu_xen_traditional' as const) } : {}),
    ...(dm !== undefined ? { device_model: dm } : {}),
  };
}

function basename(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return parts[parts.length - 1] ?? '';
}
