/**
 * xl.cfg(5) keys real xl acts on that XenDeck does not model yet: a config using one is
 * refused with ENOSYS naming the key and its line, instead of creating a domain without
 * the device or resource the administrator asked for (xl would give the guest a vTPM, a
 * 9pfs share, a PV display, I/O memory...). Unknown keys stay ignored, as xl ignores them.
 */
import { ToolstackError } from '../toolstack-error';
import type { XlCfgParse } from './xlcfg-parser';

const UNMODELLED: Readonly<Record<string, string>> = {
  vtpm: 'virtual TPMs (vtpm)',
  p9: '9pfs shares (p9)',
  pvcalls: 'PV calls (pvcalls)',
  vdispl: 'PV displays (vdispl)',
  vsnd: 'PV sound cards (vsnd)',
  channel: 'PV channels (channel)',
  dtdev: 'device-tree passthrough (dtdev)',
  iomem: 'I/O memory passthrough (iomem)',
  ioports: 'I/O port passthrough (ioports)',
  irqs: 'IRQ passthrough (irqs)',
};

export function refuseUnmodelledKeys(cfg: XlCfgParse): void {
  for (const [key, what] of Object.entries(UNMODELLED)) {
    const s = cfg.settings.get(key);
    if (s === undefined) continue;
    throw new ToolstackError('ENOSYS', `${cfg.file}:${s.line}: ${key}: ${what} are not implemented in XenDeck yet`, `Remove the ${key} line to create the domain without it`);
  }
}
