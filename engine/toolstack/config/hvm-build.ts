/**
 * The HVM part of the build info (libxl "type.hvm"), read as tools/xl/xl_parse.c
 * parse_config_data does for an HVM guest: firmware / bios / firmware_override,
 * viridian (a boolean or a list of enlightenment groups, "!group" to disable, "all",
 * "defaults"), vga / stdvga, vnc* and sdl*, serial (a string or a list), boot (the
 * order of c = disk, d = cdrom, n = network), nographic, keymap, usb. Fields in
 * libxl_types.idl order; only what the file set is printed, like libxl's JSON.
 */
import type { XlCfgParse } from './xlcfg-parser';
import { configError, getDefbool, getLongLenient, getString, atomText } from './cfg-get';
import type { YajlValue } from './libxl-json';
import { parseRdm } from './rdm-spec';

/** libxl_viridian_enlightenment, by bit number. */
export const VIRIDIAN_GROUPS = ['base', 'freq', 'time_ref_count', 'reference_tsc', 'hcall_remote_tlb_flush', 'apic_assist', 'crash_ctl', 'synic', 'stimer', 'hcall_ipi', 'ex_processor_masks', 'no_vp_limit', 'cpu_hotplug'] as const;
/** LIBXL_BUILDINFO_HVM_VIRIDIAN_ENABLE_DISABLE_WIDTH */
const VIRIDIAN_WIDTH = 64;
const BIOS = ['rombios', 'seabios', 'ovmf'] as const;
const VGA: Record<string, string> = { stdvga: 'std', cirrus: 'cirrus', none: 'none', qxl: 'qxl' };

export interface HvmBuild {
  /** "type.hvm" members, in idl order. */
  hvm: Record<string, YajlValue>;
  warnings: string[];
}

function vncInfo(cfg: XlCfgParse, w: string[]): Record<string, YajlValue> {
  const o: Record<string, YajlValue> = {};
  const enable = getDefbool(cfg, 'vnc', w);
  if (enable) o['enable'] = enable;
  const listen = getString(cfg, 'vnclisten');
  if (listen !== undefined) o['listen'] = listen;
  const passwd = getString(cfg, 'vncpasswd');
  if (passwd !== undefined) o['passwd'] = passwd;
  const display = getLongLenient(cfg, 'vncdisplay', w);
  if (display !== undefined && display !== 0) o['display'] = display;
  const unused = getDefbool(cfg, 'vncunused', w);
  if (unused) o['findunused'] = unused;
  return o;
}

function sdlInfo(cfg: XlCfgParse, w: string[]): Record<string, YajlValue> {
  const o: Record<string, YajlValue> = {};
  const enable = getDefbool(cfg, 'sdl', w);
  if (enable) o['enable'] = enable;
  const opengl = getDefbool(cfg, 'opengl', w);
  if (opengl) o['opengl'] = opengl;
  const display = getString(cfg, 'display');
  if (display !== undefined) o['display'] = display;
  const xauth = getString(cfg, 'xauthority');
  if (xauth !== undefined) o['xauthority'] = xauth;
  return o;
}

/** parse_top_level_vnc_options / _sdl_options, shared with a PV guest's vfb. */
export function topLevelDisplay(cfg: XlCfgParse, w: string[]): { vnc: Record<string, YajlValue>; sdl: Record<string, YajlValue> } {
  return { vnc: vncInfo(cfg, w), sdl: sdlInfo(cfg, w) };
}

export function buildHvm(cfg: XlCfgParse): HvmBuild {
  const w: string[] = [];
  const hvm: Record<string, YajlValue> = {};
  let firmware = getString(cfg, 'firmware_override');
  let bios: string | undefined;
  const b = getString(cfg, 'bios');
  if (b !== undefined) {
    if (!(BIOS as readonly string[]).includes(b)) throw configError(cfg, 'bios', `ERROR: invalid value "${b}" for "bios"`);
    bios = b;
  } else if (getString(cfg, 'bios_path_override') !== undefined) {
    w.push('WARNING: bios_path_override given without specific bios name');
  }
  // firmware = ovmf|seabios|rombios is the bios; uefi / bios (any prefix) pick one; else a path
  const fw = getString(cfg, 'firmware');
  if (fw !== undefined) {
    if ((BIOS as readonly string[]).includes(fw)) bios = fw;
    else if ('uefi'.startsWith(fw)) bios = 'ovmf';
    else if (!'bios'.startsWith(fw)) firmware = fw;
  }
  if (firmware !== undefined) hvm['firmware'] = firmware;
  if (bios !== undefined) hvm['bios'] = bios;
  // (`acpi` goes to b_info->acpi, outside the union, in xl 4.17)
  for (const k of ['pae', 'acpi_s3', 'acpi_s4', 'acpi_laptop_slate', 'nx'] as const) {
    const v = getDefbool(cfg, k, w);
    if (v) hvm[k] = v;
  }
  Object.assign(hvm, viridian(cfg, w));
  for (const k of ['hpet', 'vpt_align'] as const) {
    const v = getDefbool(cfg, k, w);
    if (v) hvm[k] = v;
  }
  const systemFirmware = getString(cfg, 'bios_path_override');
  if (systemFirmware !== undefined) hvm['system_firmware'] = systemFirmware;
  const hdtype = getString(cfg, 'hdtype');
  if (hdtype !== undefined) {
    if (hdtype !== 'ide' && hdtype !== 'ahci') throw configError(cfg, 'hdtype', `ERROR: invalid value "${hdtype}" for "hdtype"`);
    hvm['hdtype'] = hdtype;
  }
  const nographic = getDefbool(cfg, 'nographic', w);
  if (nographic) hvm['nographic'] = nographic;
  hvm['vga'] = vga(cfg, w);
  const { vnc, sdl } = topLevelDisplay(cfg, w);
  hvm['vnc'] = vnc;
  const keymap = getString(cfg, 'keymap');
  if (keymap !== undefined) hvm['keymap'] = keymap;
  hvm['sdl'] = sdl;
  hvm['spice'] = {};
  const serial = cfg.settings.get('serial');
  if (serial?.value.kind === 'list') {
    hvm['serial_list_'] = serial.value.items.map((v) => atomText(v) ?? '');
  } else if (serial) hvm['serial'] = atomText(serial.value)!;
  const boot = getString(cfg, 'boot');
  if (boot !== undefined) {
    hvm['boot'] = boot;
  }
  const usb = getDefbool(cfg, 'usb', w);
  if (usb) hvm['usb'] = usb;
  const usbversion = getLongLenient(cfg, 'usbversion', w);
  if (usbversion) hvm['usbversion'] = usbversion;
  // usbdevice: a list goes to usbdevice_list, a single value to usbdevice
  const usbdevice = cfg.settings.get('usbdevice');
  let usbdeviceList: YajlValue | undefined;
  if (usbdevice?.value.kind === 'list') usbdeviceList = usbdevice.value.items.map((v) => atomText(v) ?? '');
  else if (usbdevice) hvm['usbdevice'] = atomText(usbdevice.value)!;
  if (usbdeviceList !== undefined) hvm['usbdevice_list'] = usbdeviceList;
  // serial_list sits after usbdevice_list / vendor_device / ms_vm_genid in the idl
  const list = hvm['serial_list_'];
  delete hvm['serial_list_'];
  if (list !== undefined) hvm['serial_list'] = list;
  const rdmSpec = getString(cfg, 'rdm');
  const rdm = rdmSpec !== undefined ? parseRdm(rdmSpec) : undefined;
  // libxlutil writes its report without a newline: it runs into xl's next output
  if (rdm?.report) w.push(rdm.report);
  hvm['rdm'] = rdm?.rdm ?? {};
  return { hvm, warnings: w };
}

function vga(cfg: XlCfgParse, w: string[]): Record<string, YajlValue> {
  const v = getString(cfg, 'vga');
  if (v !== undefined) {
    const kind = VGA[v];
    if (!kind) throw configError(cfg, 'vga', `Unknown vga "${v}" specified`);
    return { kind };
  }
  const std = getLongLenient(cfg, 'stdvga', w);
  return std === undefined ? {} : { kind: std ? 'std' : 'cirrus' };
}

/** viridian: a list of groups, else a boolean (xl_parse.c, switch on xlu_cfg_get_list). */
function viridian(cfg: XlCfgParse, w: string[]): Record<string, YajlValue> {
  const s = cfg.settings.get('viridian');
  if (!s) return {};
  if (s.value.kind !== 'list') {
    const v = getDefbool(cfg, 'viridian', w);
    return v ? { viridian: v } : {};
  }
  const enable = new Set<number>();
  const disable = new Set<number>();
  let defaults = false;
  for (const item of s.value.items) {
    const name = atomText(item) ?? '';
    if (name === 'all') for (let i = 0; i < VIRIDIAN_WIDTH; i++) enable.add(i);
    else if (name === 'defaults') defaults = true;
    else {
      const off = name.startsWith('!');
      const g = off ? name.slice(1) : name;
      const bit = (VIRIDIAN_GROUPS as readonly string[]).indexOf(g);
      if (bit < 0) throw configError(cfg, 'viridian', `xl: unknown viridian enlightenment '${g}'`);
      (off ? disable : enable).add(bit);
      (off ? enable : disable).delete(bit);
    }
  }
  const sorted = (x: Set<number>): number[] => [...x].sort((a, b) => a - b);
  return {
    ...(defaults ? { viridian: 'True' } : {}),
    ...(enable.size ? { viridian_enable: sorted(enable) } : {}),
    ...(disable.size ? { viridian_disable: sorted(disable) } : {}),
  };
}
