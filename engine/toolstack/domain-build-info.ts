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
import { ConfigError } from './config/config-error';
import { getLong, parseXlCfg, type XlCfgParse, type XlSetting } from './config/xlcfg-parser';
import { ToolstackError } from './toolstack-error';
import { SHUTDOWN_ACTIONS, type DomainBuildInfoJson, type DomainTypeName, type ShutdownAction } from './types';


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

export function parseDomainConfig(text: string, file = 'config'): ParsedDomainConfig {
  const cfg = parseXlCfg(text, file);
  if (cfg.errors.length > 0) throw ToolstackError.from(cfg.errors[0]);
  try {
    return build(cfg);
  } catch (e) {
    throw ToolstackError.from(e);
  }
}

function build(cfg: XlCfgParse): ParsedDomainConfig {
  const warnings: string[] = [];
  const name = getString(cfg, 'name');
  if (name === undefined || name === '') {
    throw new ToolstackError('ECONFIG', 'Domain name must be specified.', 'Add a line such as name = "guest1"');
  }
  const type = domainType(cfg);
  const kernel = getString(cfg, 'kernel');
  if (type !== 'hvm' && kernel?.includes('hvmloader')) {
    warnings.push(`WARNING: you seem to be using "kernel" directive to override HVM guest firmware. Ignore that.`);
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
  const cpuid = parseCpuid(cfg);
  const boot = type === 'hvm' ? getString(cfg, 'boot') : undefined;
  if (boot !== undefined) checkBootOrder(cfg, boot);
  const onSoftReset = getString(cfg, 'on_soft_reset') !== undefined ? action('on_soft_reset', 'soft-reset') : undefined;

  return {
    warnings,
    buildInfo: {
      c_info: { type, name, ...(uuid ? { uuid: uuid.toLowerCase() } : {}), ...(pool ? { pool_name: pool } : {}) },
      b_info: {
        max_vcpus: maxVcpus,
        avail_vcpus: Array.from({ length: vcpus }, (_, i) => i),
        max_memkb: maxMiB * 1024,
        target_memkb: targetMiB * 1024,
        ...(kernel ? { kernel } : {}),
        ...(ramdisk ? { ramdisk } : {}),
        ...(cmdline ? { cmdline } : {}),
        ...(cpuid ? { cpuid } : {}),
        ...(boot !== undefined ? { boot } : {}),
      },
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

function getString(cfg: XlCfgParse, key: string): string | undefined {
  const s: XlSetting | undefined = cfg.settings.get(key);
  if (!s) return undefined;
  if (s.value.kind === 'list') throw new ConfigError(cfg.file, s.line, 1, `warning: parameter \`${key}' is a list but should be a single value`);
  return s.value.kind === 'string' ? s.value.value : s.value.text;
}

function configError(cfg: XlCfgParse, key: string, detail: string): ConfigError {
  return new ConfigError(cfg.file, cfg.settings.get(key)?.line ?? 0, 1, detail);
}

function joinDefined(parts: (string | undefined | '')[]): string | undefined {
  const s = parts.filter((p): p is string => !!p).join(' ');
  return s === '' ? undefined : s;
}

/**
 * `cpuid` in libxl's form (xl.cfg(5) "cpuid"): "host" then comma-separated NAME=VALUE with
 * VALUE 1 (set) or 0 (clear). The xend form (a list of "leaf:reg=bits") is not taken yet.
 */
function parseCpuid(cfg: XlCfgParse): Record<string, 0 | 1> | undefined {
  const s = cfg.settings.get('cpuid');
  if (!s) return undefined;
  if (s.value.kind !== 'string') {
    throw new ToolstackError('ENOSYS', "cpuid in xend's form (a list of leaf:register=bits): not implemented in XenDeck yet", 'Write it in libxl\'s form: cpuid = "host,avx=0"');
  }
  const parts = s.value.value.split(',').map((x) => x.trim());
  if (parts[0] !== 'host') throw configError(cfg, 'cpuid', `cpuid must start with "host" (libxl form), got ${JSON.stringify(parts[0])}`);
  const out: Record<string, 0 | 1> = {};
  for (const p of parts.slice(1)) {
    const m = /^([a-z0-9_-]+)=([01])$/.exec(p);
    if (!m) throw configError(cfg, 'cpuid', `bad cpuid item ${JSON.stringify(p)}: expected NAME=0 or NAME=1`);
    out[m[1]!] = m[2] === '1' ? 1 : 0;
  }
  return out;
}
