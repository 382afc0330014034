/**
 * XenDeck's `xl -N create` against the real xl 4.17's (test/fixtures/xlcfg/dry-run):
 * the libxl JSON byte for byte (the random uuid aside) and the warnings xl printed, for
 * configs using disks (positional, key=value, xm prefixes, cdroms), vifs (mac, rate,
 * model, type, trusted ...), pci (BDF, vslot, options, global pci_*), usbctrl / usbdev,
 * vfb, cpus / cpus_soft, sched parameters, viridian groups, vga, vnc, sdl, serial,
 * boot, firmware / bios and xm compatibility (builder, kernel=hvmloader, device_model).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { parseDomainConfig } from '../../../../engine/toolstack/domain-build-info';
import { dryRunConfigJson } from '../../../../engine/cli/xl/format/domain-config-json';
import { yajlBeautify } from '../../../../engine/cli/xl/format/yajl-json';

const DIR = 'test/fixtures/xlcfg/dry-run';
const names = readdirSync(DIR)
  .filter((f) => f.endsWith('.cfg'))
  .map((f) => f.slice(0, -4));

describe('xl -N create JSON as real xl 4.17 prints it', () => {
  it.each(names)('%s.cfg', (name) => {
    const text = readFileSync(`${DIR}/${name}.cfg`, 'utf8');
    const r = parseDomainConfig(text, `${name}.cfg`);
    const ours = yajlBeautify(dryRunConfigJson(r.buildInfo)).replace(/\n\s*"uuid": "[^"]*",/, '');
    expect(ours.trimEnd()).toBe(readFileSync(`${DIR}/${name}.json`, 'utf8').trimEnd());
    const realWarnings = readFileSync(`${DIR}/${name}.err`, 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('Parsing config from'));
    expect(r.warnings).toEqual(realWarnings);
  });
});
