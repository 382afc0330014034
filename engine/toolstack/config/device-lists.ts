/**
 * The device lists of a domain config (tools/xl/xl_parse.c parse_config_data): disk,
 * vif, pci, vfb, usbctrl, usbdev, each item parsed by its own spec reader. Errors carry
 * the file and the line of the list, with xl's wording; what xl only warns about is
 * returned as warnings.
 */
import { ConfigError } from './config-error';
import { atomText, getLongLenient, getStringList } from './cfg-get';
import { parseDiskSpec, type LibxlDiskJson } from './disk-spec';
import type { YajlValue } from './libxl-json';
import { parsePciSpec, type LibxlPciJson } from './pci-spec';
import { parseVifSpec, type LibxlNicJson } from './vif-spec';
import type { XlCfgParse } from './xlcfg-parser';

export interface DeviceLists {
  disks?: LibxlDiskJson[];
  nics?: LibxlNicJson[];
  pcidevs?: LibxlPciJson[];
  vfbs?: Record<string, YajlValue>[];
  vkbs?: Record<string, YajlValue>[];
  usbctrls?: LibxlUsbctrlJson[];
  usbdevs?: LibxlUsbdevJson[];
}

export interface LibxlUsbctrlJson {
  type?: 'pv' | 'devicemodel' | 'qusb';
  devid: number;
  version?: number;
  ports?: number;
}

export interface LibxlUsbdevJson {
  ctrl?: number;
  port?: number;
  /** libxl's keyed union, printed as "type.hostdev" once type= is given. */
  'type.hostdev'?: { hostbus?: number; hostaddr?: number };
}

const err = (cfg: XlCfgParse, line: number, detail: string): ConfigError => new ConfigError(cfg.file, line, 1, detail);

export function parseDeviceLists(cfg: XlCfgParse, warnings: string[], type: 'pv' | 'pvh' | 'hvm'): DeviceLists {
  const out: DeviceLists = {};
  const disk = getStringList(cfg, 'disk');
  if (disk) {
    out.disks = disk.items.map((spec) => {
      const r = parseDiskSpec(spec);
      if (r.errors.length > 0) throw err(cfg, disk.line, r.errors[0]!);
      return r.disk;
    });
  }
  const vif = getStringList(cfg, 'vif');
  if (vif) {
    out.nics = vif.items.map((spec, i) => {
      const r = parseVifSpec(spec, i);
      warnings.push(...r.warnings);
      if (r.error) throw err(cfg, vif.line, r.error);
      return r.nic;
    });
  }
  if (getStringList(cfg, 'vif2')) warnings.push('WARNING: vif2: netchannel2 is deprecated and not supported by xl');
  const pci = getStringList(cfg, 'pci');
  if (pci) {
    // the global pci_* keys are each device's defaults
    const defaults: Parameters<typeof parsePciSpec>[1] = Object.fromEntries(
      (['msitranslate', 'power_mgmt', 'permissive', 'seize'] as const).flatMap((k) => {
        const v = getLongLenient(cfg, `pci_${k}`, warnings);
        return v === undefined ? [] : [[k, v]];
      }),
    );
    out.pcidevs = pci.items.map((spec) => {
      // xl copies b_info->u.hvm.rdm.policy into each device; for a PV or PVH guest that
      // union member overlays zeroed memory, which reads as "strict"
      const r = parsePciSpec(spec, { ...defaults, ...(type !== 'hvm' ? { rdm_policy: 'strict' as const } : {}) });
      if (r.rc !== 0) throw err(cfg, pci.line, `${r.report ? `${r.report}\n` : ''}unable to parse PCI_SPEC_STRING \`${spec}' for passthrough`);
      return r.pci;
    });
  }
  const vfb = getStringList(cfg, 'vfb');
  if (vfb) {
    out.vfbs = vfb.items.map((spec, i) => parseVfb(spec, i));
    out.vkbs = vfb.items.map((_, i) => ({ devid: i }));
  }
  const usbctrl = getStringList(cfg, 'usbctrl');
  if (usbctrl) out.usbctrls = usbctrl.items.map((spec, i) => parseUsbctrl(cfg, usbctrl.line, spec, i));
  const usbdev = getStringList(cfg, 'usbdev');
  if (usbdev) out.usbdevs = usbdev.items.map((spec) => parseUsbdev(cfg, usbdev.line, spec));
  return out;
}

/** strtok(buf, ","): the non-empty pieces, leading spaces dropped. */
function tokens(spec: string): string[] {
  return spec
    .split(',')
    .filter((p) => p !== '')
    .map((p) => p.replace(/^ +/, ''));
}

const atoiOf = (s: string): number => {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? Number.parseInt(m[1]!, 10) | 0 : 0;
};

/** vfb = ["vnc=1,vncdisplay=1,keymap=de,sdl=0,..."]: keys without '=' end the spec (xl breaks out). */
function parseVfb(spec: string, devid: number): Record<string, YajlValue> {
  const vnc: Record<string, YajlValue> = {};
  const sdl: Record<string, YajlValue> = {};
  let keymap: string | undefined;
  for (const t of tokens(spec)) {
    const eq = t.indexOf('=');
    if (eq < 0) break;
    const k = t.slice(0, eq);
    const v = t.slice(eq + 1);
    if (k === 'vnc') vnc['enable'] = atoiOf(v) ? 'True' : 'False';
    else if (k === 'vnclisten') vnc['listen'] = v;
    else if (k === 'vncpasswd') vnc['passwd'] = v;
    else if (k === 'vncdisplay') vnc['display'] = atoiOf(v);
    else if (k === 'vncunused') vnc['findunused'] = atoiOf(v) ? 'True' : 'False';
    else if (k === 'keymap') keymap = v;
    else if (k === 'sdl') sdl['enable'] = atoiOf(v) ? 'True' : 'False';
    else if (k === 'opengl') sdl['opengl'] = atoiOf(v) ? 'True' : 'False';
    else if (k === 'display') sdl['display'] = v;
    else if (k === 'xauthority') sdl['xauthority'] = v;
  }
  const order = (o: Record<string, YajlValue>, keys: string[]): Record<string, YajlValue> => Object.fromEntries(keys.filter((k) => o[k] !== undefined && o[k] !== 0).map((k) => [k, o[k]!]));
  return {
    devid,
    vnc: order(vnc, ['enable', 'listen', 'passwd', 'display', 'findunused']),
    sdl: order(sdl, ['enable', 'opengl', 'display', 'xauthority']),
    ...(keymap !== undefined ? { keymap } : {}),
  };
}

const USBCTRL_TYPES = ['auto', 'pv', 'devicemodel', 'qusb'] as const;

/** parse_usbctrl_config: type (libxl_usbctrl_type), version and ports (atoi). */
function parseUsbctrl(cfg: XlCfgParse, line: number, spec: string, devid: number): LibxlUsbctrlJson {
  let type: (typeof USBCTRL_TYPES)[number] | undefined;
  let version = 0;
  let ports = 0;
  for (const t of tokens(spec)) {
    if (t.startsWith('type=')) {
      const v = t.slice(5);
      // libxl's *_from_string is case-insensitive
      const found = USBCTRL_TYPES.find((x) => x === v.toLowerCase());
      if (!found) throw err(cfg, line, `Invalid usb controller type '${v}'`);
      type = found;
    } else if (t.startsWith('version=')) version = atoiOf(t.slice(8));
    else if (t.startsWith('ports=')) ports = atoiOf(t.slice(6));
    else throw err(cfg, line, `Unknown string \`${t}' in usbctrl spec`);
  }
  return { ...(type && type !== 'auto' ? { type } : {}), devid, ...(version ? { version } : {}), ...(ports ? { ports } : {}) };
}

/** parse_usbdev_config: type=hostdev, hostbus / hostaddr (strtoul base 0, uint8), controller, port. */
function parseUsbdev(cfg: XlCfgParse, line: number, spec: string): LibxlUsbdevJson {
  let type: 'hostdev' | undefined;
  let ctrl: number | undefined;
  let port = 0;
  const host: { hostbus?: number; hostaddr?: number } = {};
  const ul = (s: string): number => {
    const m = /^[ \t]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
    if (!m) return 0;
    const v = Number(m[2]!.startsWith('0x') || m[2]!.startsWith('0X') ? Number.parseInt(m[2]!, 16) : m[2]!.startsWith('0') ? Number.parseInt(m[2]! || '0', 8) : Number.parseInt(m[2]!, 10));
    return (m[1] === '-' ? -v : v) & 0xff;
  };
  for (const t of tokens(spec)) {
    if (t.startsWith('type=')) {
      if (t.slice(5).toLowerCase() !== 'hostdev') throw err(cfg, line, `Invalid usb device type: ${t.slice(5)}`);
      type = 'hostdev';
    } else if (t.startsWith('hostbus=')) host.hostbus = ul(t.slice(8));
    else if (t.startsWith('hostaddr=')) host.hostaddr = ul(t.slice(9));
    else if (t.startsWith('controller=')) ctrl = atoiOf(t.slice(11));
    else if (t.startsWith('port=')) port = atoiOf(t.slice(5));
    else throw err(cfg, line, `Unknown string \`${t}' in usbdev spec`);
  }
  // the keyed union is printed only once its type is set (libxl_device_usbdev_gen_json)
  const u = Object.fromEntries(Object.entries(host).filter(([, v]) => v !== 0));
  return {
    ...(ctrl !== undefined && ctrl !== -1 ? { ctrl } : {}),
    ...(port ? { port } : {}),
    ...(type ? { 'type.hostdev': u } : {}),
  };
}

export { atomText };
