import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../../engine/remote/errors';
import { parseDomainState, parseXlList } from '../../../../engine/remote/parse/xl-list';
import { parseXlListLong } from '../../../../engine/remote/parse/xl-list-long';
import { realOut } from '../fixtures';

describe('xl list parser (real Xen 4.17 output)', () => {
  it('reads dom0 and a guest: id, MiB, vCPUs, state letters, CPU seconds', () => {
    const [dom0, guest, ...rest] = parseXlList(realOut('xl-list-guest'));
    expect(rest).toEqual([]);
    expect(dom0).toMatchObject({ name: 'Domain-0', domid: 0, memMiB: 768, vcpus: 1 });
    expect(dom0?.state.running).toBe(true);
    expect(guest).toMatchObject({ name: 'xendeck-pv', domid: 2, memMiB: 128, vcpus: 1 });
    expect(guest?.cpuTimeS).toBeGreaterThan(0);
  });

  it('reads the paused state', () => {
    const [guest] = parseXlList(realOut('xl-pause'));
    // a paused guest that was idle also shows b: "-bp---"
    expect(guest?.state).toMatchObject({ paused: true, running: false, shutdown: false, dying: false });
    expect(guest?.state.letters).toMatch(/^-[b-]p---$/);
  });

  it('reads -v (UUID, reason code, label) and -c (cpupool)', () => {
    const v = parseXlList(realOut('xl-list-v-guest'));
    expect(v[0]?.uuid).toBe('00000000-0000-0000-0000-000000000000');
    expect(v[1]?.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(v[1]?.reasonCode).toBeUndefined();
    expect(v[1]?.securityLabel).toBe('-');
    const c = parseXlList(realOut('xl-list-c'));
    expect(c.map((d) => d.cpupool)).toEqual(['Pool-0', 'cp-credit']);
  });

  it('decodes shutdown reasons from the fifth letter (xl: "-rscwS")', () => {
    expect(parseDomainState('---sc-')).toMatchObject({ shutdown: true, shutdownReason: 'crash' });
    expect(parseDomainState('---s--')).toMatchObject({ shutdown: true, shutdownReason: 'poweroff' });
    expect(parseDomainState('---sr-')).toMatchObject({ shutdownReason: 'reboot' });
    expect(parseDomainState('-b----')).toMatchObject({ shutdown: false, shutdownReason: null, blocked: true });
    expect(parseDomainState('-----d')).toMatchObject({ dying: true });
    expect(() => parseDomainState('rbpsxd')).toThrow(ParseError);
  });

  it('keeps names with spaces and digits whole', () => {
    const text = `${realOut('xl-list').split('\n')[0]}\n${'web 2 test'.padEnd(40)} ${'7'.padStart(5)} ${'512'.padStart(5)} ${'2'.padStart(5)}     -b----  ${'12.5'.padStart(8)}\n`;
    expect(parseXlList(text)).toMatchObject([{ name: 'web 2 test', domid: 7, memMiB: 512, vcpus: 2, cpuTimeS: 12.5 }]);
  });

  it('rejects a table without the xl list header', () => {
    expect(() => parseXlList(realOut('xl-vcpu-list'))).toThrow(ParseError);
  });
});

describe('xl list -l parser (libxl JSON)', () => {
  it('reads dom0 (no uuid, domid 0) and the guest config as libxl prints it', () => {
    const [dom0, guest] = parseXlListLong(realOut('xl-list-l-guest'));
    expect(dom0?.domid).toBe(0);
    expect(dom0?.config.c_info.name).toBe('Domain-0');
    expect(dom0?.config.c_info.uuid).toBeUndefined();
    expect(guest?.domid).toBe(2);
    expect(guest?.config.c_info).toMatchObject({ type: 'pv', name: 'xendeck-pv' });
    expect(guest?.config.b_info).toMatchObject({ max_vcpus: 1, max_memkb: 131072, target_memkb: 131072, cmdline: 'console=hvc0 quiet' });
    expect(guest?.config.b_info.sched_params).toEqual({ sched: 'credit2', weight: 256, cap: 0 });
    expect(guest?.config.on_crash).toBe('preserve');
    // on_poweroff equals its default (destroy) and is left out by libxl's JSON
    expect(guest?.config.on_poweroff).toBeUndefined();
  });

  it('explains SXP output and rejects non-JSON', () => {
    expect(() => parseXlListLong('(domain (domid 0))')).toThrow(/output_format="sxp"/);
    expect(() => parseXlListLong('[{"domid": 1}]')).toThrow(/no config object/);
    expect(() => parseXlListLong('nonsense')).toThrow(ParseError);
  });
});
