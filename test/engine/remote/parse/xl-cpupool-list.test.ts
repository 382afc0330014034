import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../../engine/remote/errors';
import { parseXlCpupoolList } from '../../../../engine/remote/parse/xl-cpupool-list';
import { realOut } from '../fixtures';

describe('xl cpupool-list parser (real Xen 4.17 output)', () => {
  it('reads Pool-0 with both pcpus', () => {
    expect(parseXlCpupoolList(realOut('xl-cpupool-list'), realOut('xl-cpupool-list-c'))).toEqual([
      { name: 'Pool-0', nCpus: 2, sched: 'credit2', active: true, nDom: 1, cpus: [0, 1] },
    ]);
  });

  it('reads two pools on different schedulers', () => {
    expect(parseXlCpupoolList(realOut('xl-cpupool-list-2'), realOut('xl-cpupool-list-c-2'))).toEqual([
      { name: 'Pool-0', nCpus: 1, sched: 'credit2', active: true, nDom: 2, cpus: [0] },
      { name: 'cp-credit', nCpus: 1, sched: 'credit', active: true, nDom: 0, cpus: [1] },
    ]);
  });

  it('reads a pool name of 19+ characters, which xl does not follow with a space', () => {
    const name = 'a-very-long-pool-name';
    const plain = `${'Name'.padEnd(19)}CPUs   Sched     Active   Domain count\n${name}${'  1'}    credit       y          0\n`;
    const cpus = `${'Name'.padEnd(19)}CPU list\n${name}3\n`;
    expect(parseXlCpupoolList(plain, cpus)).toEqual([{ name, nCpus: 1, sched: 'credit', active: true, nDom: 0, cpus: [3] }]);
  });

  it('reads a pool with no CPUs and refuses lists that disagree', () => {
    const plain = `${'Name'.padEnd(19)}CPUs   Sched     Active   Domain count\n${'empty'.padEnd(19)}  0   credit2       y          0\n`;
    expect(parseXlCpupoolList(plain, `${'Name'.padEnd(19)}CPU list\n${'empty'.padEnd(19)}\n`)[0]?.cpus).toEqual([]);
    expect(() => parseXlCpupoolList(plain, `${'Name'.padEnd(19)}CPU list\n${'empty'.padEnd(19)}0,1\n`)).toThrow(ParseError);
    expect(() => parseXlCpupoolList(realOut('xl-cpupool-list'), realOut('xl-cpupool-list-c-2'))).toThrow(ParseError);
  });
});
