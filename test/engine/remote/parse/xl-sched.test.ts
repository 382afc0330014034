import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../../engine/remote/errors';
import { parseXlSched } from '../../../../engine/remote/parse/xl-sched';
import { realOut } from '../fixtures';

describe('xl sched-* parser (real Xen 4.17 output)', () => {
  it('reads the credit2 pool line and domain table', () => {
    expect(parseXlSched(realOut('xl-sched-credit2-guest'), 'credit2')).toEqual([
      {
        pool: 'Pool-0',
        sched: 'credit2',
        params: { ratelimit_us: 1000 },
        domains: [
          { name: 'Domain-0', domid: 0, weight: 256, cap: 0 },
          { name: 'xendeck-pv', domid: 2, weight: 256, cap: 0 },
        ],
      },
    ]);
  });

  it('reads the credit pool parameters (tslice, ratelimit, migration delay)', () => {
    const [pool] = parseXlSched(realOut('xl-sched-credit'), 'credit');
    expect(pool?.pool).toBe('cp-credit');
    expect(pool?.params).toEqual({ tslice_ms: 30, ratelimit_us: 1000, migration_delay_us: 0 });
    expect(pool?.domains).toEqual([{ name: 'xendeck-pv', domid: 2, weight: 256, cap: 0 }]);
  });

  it('reads -d output (no pool line) and a changed weight', () => {
    const blocks = parseXlSched(realOut('xl-sched-credit2-set-weight'), 'credit2');
    expect(blocks).toEqual([{ pool: null, sched: 'credit2', params: {}, domains: [{ name: 'xendeck-pv', domid: 2, weight: 512, cap: 0 }] }]);
  });

  it('reads nothing when no pool runs that scheduler', () => {
    expect(parseXlSched(realOut('xl-sched-credit-none'), 'credit')).toEqual([]);
    expect(parseXlSched(realOut('xl-sched-rtds-none'), 'rtds')).toEqual([]);
  });

  it('reads RTDS per-vCPU tables (xl_sched.c format)', () => {
    const text = [
      'Cpupool rt: sched=RTDS',
      `${'Name'.padEnd(33)} ${'ID'.padStart(4)} ${'VCPU'.padStart(4)} ${'Period'.padStart(9)} ${'Budget'.padStart(9)} ${'Extratime'.padStart(10)}`,
      `${'rtguest'.padEnd(33)} ${'5'.padStart(4)} ${'0'.padStart(4)} ${'10000'.padStart(9)} ${'4000'.padStart(9)} ${'yes'.padStart(10)}`,
      '',
    ].join('\n');
    expect(parseXlSched(text, 'rtds')).toEqual([
      { pool: 'rt', sched: 'rtds', params: {}, domains: [{ name: 'rtguest', domid: 5, vcpu: 0, periodUs: 10000, budgetUs: 4000, extratime: true }] },
    ]);
  });

  it('rejects rows before a header', () => {
    expect(() => parseXlSched('Domain-0 0 256 0\n', 'credit2')).toThrow(ParseError);
  });
});
