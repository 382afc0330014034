/**
 * vif specs (`vif = [ "..." ]`, `xl network-attach`), as xl reads them
 * (tools/xl/xl_parse.c parse_nic_config, docs/man/xl-network-configuration.5.pod): the
 * string is cut at commas (strtok: empty pieces vanish), leading spaces dropped, each
 * piece KEY=VALUE or a flag. The devid is the index in the list unless `devid=` says
 * otherwise. xl only complains about an unknown key or a bad `type`/`mac` (and goes
 * on: parse_config_data ignores parse_nic_config's result); a bad `rate` stops it.
 * The MAC is left unset here; libxl picks one when the device is added
 * (libxl__device_nic_setdefault), see nic-mac.ts.
 */
import { strtoul, ULONG_MAX } from './c-scan';
import { parseVifRate } from './vif-rate';

/** libxl_device_nic as JSON (libxl_types.idl order, defaults left out). */
export interface LibxlNicJson {
  backend_domname?: string;
  devid: number;
  mtu?: number;
  model?: string;
  mac?: string;
  ip?: string;
  bridge?: string;
  ifname?: string;
  script?: string;
  nictype?: 'vif_ioemu' | 'vif';
  rate_bytes_per_interval?: number;
  rate_interval_usecs?: number;
  gatewaydev?: string;
  trusted?: 'True' | 'False';
}

export interface VifParse {
  nic: LibxlNicJson;
  /** Lines xl prints and carries on. */
  warnings: string[];
  /** A fatal error (bad rate): the line, after "<file>: ". */
  error?: string;
}

/** The colo_* keys xl takes (their values only matter to COLO, which XenDeck does not do). */
const COLO_KEYS = /^(forwarddev|colo_[a-z0-9_]+)=/;

const STRING_KEYS: Record<string, keyof LibxlNicJson> = {
  bridge: 'bridge',
  gatewaydev: 'gatewaydev',
  ip: 'ip',
  script: 'script',
  backend: 'backend_domname',
  vifname: 'ifname',
  model: 'model',
};

export function parseVifSpec(spec: string, index: number): VifParse {
  try {
    return parseVif(spec, index);
  } catch (e) {
    if (e instanceof VifValueError) return { nic: { devid: index }, warnings: [], error: e.message };
    throw e;
  }
}

function parseVif(spec: string, index: number): VifParse {
  const nic: LibxlNicJson = { devid: index };
  const warnings: string[] = [];
  for (const raw of spec.split(',')) {
    if (raw === '') continue;
    const token = raw.replace(/^ +/, '');
    const eq = token.indexOf('=');
    const key = eq < 0 ? token : token.slice(0, eq);
    const arg = eq < 0 ? '' : token.slice(eq + 1);
    if (eq >= 0 && key === 'type') {
      if (arg === 'vif') nic.nictype = 'vif';
      else if (arg === 'ioemu') nic.nictype = 'vif_ioemu';
      else warnings.push('Invalid parameter `type\'.');
    } else if (eq >= 0 && key === 'mac') {
      const mac = parseMac(arg);
      if (mac === undefined) warnings.push("Invalid parameter `mac'.");
      else nic.mac = mac;
    } else if (eq >= 0 && key === 'netdev') {
      warnings.push('the netdev parameter is deprecated, please use gatewaydev instead');
      nic.gatewaydev = arg;
    } else if (eq >= 0 && key in STRING_KEYS) {
      (nic as unknown as Record<string, string>)[STRING_KEYS[key]!] = arg;
    } else if (eq >= 0 && key === 'rate') {
      const r = parseVifRate(arg);
      if (!r.ok) return { nic, warnings, error: r.message };
      Object.assign(nic, r.rate);
    } else if (eq >= 0 && COLO_KEYS.test(token)) {
      // accepted and kept by xl for COLO; not modelled
    } else if (eq >= 0 && key === 'accel') {
      warnings.push('the accel parameter for vifs is currently not supported');
    } else if (eq >= 0 && key === 'devid') {
      nic.devid = parseUlong(arg);
    } else if (eq >= 0 && key === 'mtu') {
      nic.mtu = parseUlong(arg);
    } else if (token === 'trusted') {
      nic.trusted = 'True';
    } else if (token === 'untrusted') {
      nic.trusted = 'False';
    } else {
      warnings.push(`unrecognized argument \`${token}'`);
    }
  }
  return { nic: ordered(nic), warnings };
}

/** xl's parse_ulong: strtoul base 10, stored in an int field; no digits is fatal. */
function parseUlong(s: string): number {
  const r = strtoul(s, 10);
  if (r.end === 0 || r.value === ULONG_MAX) throw new VifValueError(`xl: failed to convert "${s}" to number`);
  return r.value | 0;
}

/** A vif value xl refuses outright (it exits). */
export class VifValueError extends Error {}

/**
 * parse_nic_config's mac: six strtoul(…, 16) numbers each at most 255, any one character
 * between them. A string too short to hold six is refused (xl would read past its end).
 */
export function parseMac(arg: string): string | undefined {
  const bytes: number[] = [];
  let rest = arg;
  for (let i = 0; i < 6; i++) {
    if (rest === undefined) return undefined;
    const r = strtoul(rest, 16);
    if (r.end === 0 || r.value > 255) return undefined;
    bytes.push(r.value);
    rest = r.end < rest.length ? rest.slice(r.end + 1) : (undefined as unknown as string);
  }
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

const ORDER: (keyof LibxlNicJson)[] = ['backend_domname', 'devid', 'mtu', 'model', 'mac', 'ip', 'bridge', 'ifname', 'script', 'nictype', 'rate_bytes_per_interval', 'rate_interval_usecs', 'gatewaydev', 'trusted'];

function ordered(n: LibxlNicJson): LibxlNicJson {
  const out: Record<string, unknown> = {};
  // numbers equal to libxl's default (0) are not printed, devid (default -1) always is
  for (const k of ORDER) if (n[k] !== undefined && (k === 'devid' || n[k] !== 0)) out[k] = n[k];
  return out as unknown as LibxlNicJson;
}
