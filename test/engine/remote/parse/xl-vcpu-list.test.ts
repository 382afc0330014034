import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../../engine/remote/errors';
import { expandCpumap, parseXlVcpuList } from '../../../../engine/remote/parse/xl-vcpu-list';
import { realOut } from '../fixtures';

describe('xl vcpu-list parser (real Xen 4.17 output)', () => {
  it('reads each vCPU: pcpu, running/blocked, time and affinities', () => {
    const v = parseXlVcpuList(realOut('xl-vcpu-list-guest'));
    expect(v).toHaveLength(2);
    expect(v[0]).toMatchObject({ domain: 'Domain-0', domid: 0, vcpu: 0, cpu: 0, online: true, running: true, hardAffinity: 'all', softAffinity: 'all' });
    expect(v[1]).toMatchObject({ domain: 'xendeck-pv', domid: 2, vcpu: 0, online: true, blocked: true, running: false });
    expect(v[1]?.timeS).toBeGreaterThan(0);
  });

  it('reads an offline vCPU ("    -   --p ")', () => {
    const header = realOut('xl-vcpu-list').split('\n')[0];
    const row = `${'guest'.padEnd(32)} ${'3'.padStart(5)} ${'1'.padStart(5)}     -   --p ${'0.0'.padStart(9)}  0-1 / all`;
    expect(parseXlVcpuList(`${header}\n${row}\n`)).toEqual([
      { domain: 'guest', domid: 3, vcpu: 1, cpu: null, online: false, running: false, blocked: false, timeS: 0, hardAffinity: '0-1', softAffinity: 'all' },
    ]);
  });

  it('expands xl cpumaps', () => {
    expect(expandCpumap('all', 4)).toEqual([0, 1, 2, 3]);
    expect(expandCpumap('0-2,5', 8)).toEqual([0, 1, 2, 5]);
    expect(expandCpumap('none', 8)).toEqual([]);
    expect(() => expandCpumap('3-1', 8)).toThrow(ParseError);
    expect(() => expandCpumap('x', 8)).toThrow(ParseError);
  });
});
