/**
 * PCI passthrough specs (`pci = [ "..." ]`, `xl pci-attach`), as libxlutil reads them
 * (tools/libs/util/libxlu_pci.c, docs/man/xl-pci-configuration.5.pod):
 *
 *   [DDDD:]BB:DD.F[@VSLOT][,KEY=VALUE...]      or      KEY=VALUE,... with bdf= or name=
 *
 * BDF fields are hex read with sscanf("%x"), F may be `*` (all functions, vfunc_mask
 * 0xffffffff); domain <= 0xffff, bus <= 0xff, device <= 0x1f, function <= 7, vslot <=
 * 0x1f (vdevfn = vslot << 3). Keys: bdf, vslot, permissive, msitranslate, seize,
 * power_mgmt (atoi), rdm_policy (strict | relaxed), name. Exactly one of bdf and name.
 * xl prints "unable to parse PCI_SPEC_STRING `<spec>' for passthrough" for a bad one.
 */
import { atoi } from './disk-spec';
import { scanHex } from './c-scan';

/** libxl_device_pci as JSON (libxl_types.idl order, defaults left out). */
export interface LibxlPciJson {
  func?: number;
  dev?: number;
  bus?: number;
  domain?: number;
  vdevfn?: number;
  vfunc_mask?: number;
  msitranslate?: boolean;
  power_mgmt?: boolean;
  permissive?: boolean;
  seize?: boolean;
  rdm_policy?: 'strict' | 'relaxed';
  name?: string;
}

export interface PciParse {
  pci: LibxlPciJson;
  /** libxl's ERROR_INVAL (-6) or 0, as xlu_pci_parse_spec_string returns. */
  rc: number;
  /** What libxlutil wrote to its report (no newline: it prints none). */
  report: string;
}

const ERROR_INVAL = -6;
export const LIBXL_PCI_FUNC_ALL = 0xffffffff;

interface Draft {
  func: number;
  dev: number;
  bus: number;
  domain: number;
  vdevfn: number;
  vfunc_mask: number;
  msitranslate: number;
  power_mgmt: number;
  permissive: number;
  seize: number;
  rdm_policy?: 'strict' | 'relaxed';
  name?: string;
}

/** parse_bdf(): the end index, or undefined (ERROR_INVAL). */
function parseBdf(p: Draft, s: string, at: number): number | undefined {
  let colons = 0;
  for (let i = at; i < s.length && /[0-9a-fA-F:]/.test(s[i]!); i++) if (s[i] === ':') colons++;
  const fields: number[] = [];
  let i = at;
  const want = colons === 1 ? 2 : colons === 2 ? 3 : 0;
  if (want === 0) return undefined;
  for (let k = 0; k < want; k++) {
    const h = scanHex(s, i);
    if (!h) return undefined;
    fields.push(h.value);
    i = h.end;
    const sep = k < want - 1 ? ':' : '.';
    if (s[i] !== sep) return undefined;
    i++;
  }
  const [domain, bus, dev] = want === 2 ? [0, fields[0]!, fields[1]!] : [fields[0]!, fields[1]!, fields[2]!];
  if (domain > 0xffff || bus > 0xff || dev > 0x1f) return undefined;
  let func: number;
  if (s[i] === '*') {
    p.vfunc_mask = LIBXL_PCI_FUNC_ALL;
    func = 0;
    i++;
  } else {
    const h = scanHex(s, i);
    if (!h || h.value > 7) return undefined;
    p.vfunc_mask = 1;
    func = h.value;
    i = h.end;
  }
  Object.assign(p, { domain, bus, dev, func });
  return i;
}

function parseVslot(s: string, at: number): { vdevfn: number; end: number } | undefined {
  const h = scanHex(s, at);
  if (!h || h.value > 0x1f) return undefined;
  return { vdevfn: h.value << 3, end: h.end };
}

/** xlu_pci_parse_bdf: a bare BDF (pci-assignable-add and friends). */
export function parsePciBdf(str: string): PciParse {
  const p = blank();
  const end = parseBdf(p, str, 0);
  return { pci: toJson(p), rc: end === undefined ? ERROR_INVAL : 0, report: '' };
}

/** xlu_pci_parse_spec_string. `defaults` are xl's pci_permissive & co. (global keys). */
export function parsePciSpec(str: string, defaults: Partial<Pick<Draft, 'msitranslate' | 'power_mgmt' | 'permissive' | 'seize' | 'rdm_policy'>> = {}): PciParse {
  const p: Draft = { ...blank(), ...defaults };
  let report = '';
  const fail = (): PciParse => ({ pci: toJson(p), rc: ERROR_INVAL, report });
  let bdf = false;
  let named = false;
  let i = 0;
  const end = parseBdf(p, str, 0);
  if (end !== undefined) {
    bdf = true;
    i = end;
    if (str[i] === '@') {
      const v = parseVslot(str, i + 1);
      if (!v) return fail();
      p.vdevfn = v.vdevfn;
      i = v.end;
    }
    if (str[i] === ',') i++;
    else if (i < str.length) return fail();
  }
  while (i < str.length) {
    const eq = str.indexOf('=', i);
    if (eq < 0) return fail();
    const key = str.slice(i, eq);
    let j = str.indexOf(',', eq + 1);
    if (j < 0) j = str.length;
    const val = str.slice(eq + 1, j);
    i = j < str.length ? j + 1 : j;
    let ok = true;
    if (key === 'bdf') {
      if (parseBdf(p, val, 0) !== undefined) bdf = true;
      else ok = false;
    } else if (key === 'vslot') {
      const v = parseVslot(val, 0);
      if (v) p.vdevfn = v.vdevfn;
      else ok = false;
    } else if (key === 'permissive' || key === 'msitranslate' || key === 'seize' || key === 'power_mgmt') {
      p[key] = atoi(val);
    } else if (key === 'rdm_policy') {
      if (val === 'strict' || val === 'relaxed') p.rdm_policy = val;
      else {
        report += `Unknown RDM policy: ${val}`;
        ok = false;
      }
    } else if (key === 'name') {
      named = true;
      p.name = val;
    } else {
      report += `Unknown PCI_SPEC_STRING option: ${key}`;
      ok = false;
    }
    if (!ok) return fail();
  }
  if (bdf === named) return fail();
  return { pci: toJson(p), rc: 0, report };
}

function blank(): Draft {
  return { func: 0, dev: 0, bus: 0, domain: 0, vdevfn: 0, vfunc_mask: 0, msitranslate: 0, power_mgmt: 0, permissive: 0, seize: 0 };
}

function toJson(p: Draft): LibxlPciJson {
  // uint8 fields are stored truncated; bools are C bools (non-zero is true)
  const out: LibxlPciJson = {
    func: p.func & 0xff || undefined,
    dev: p.dev & 0xff || undefined,
    bus: p.bus & 0xff || undefined,
    domain: p.domain || undefined,
    vdevfn: p.vdevfn || undefined,
    vfunc_mask: p.vfunc_mask || undefined,
    msitranslate: p.msitranslate !== 0 || undefined,
    power_mgmt: p.power_mgmt !== 0 || undefined,
    permissive: p.permissive !== 0 || undefined,
    seize: p.seize !== 0 || undefined,
    rdm_policy: p.rdm_policy,
    name: p.name,
  };
  for (const k of Object.keys(out) as (keyof LibxlPciJson)[]) if (out[k] === undefined) delete out[k];
  return out;
}
