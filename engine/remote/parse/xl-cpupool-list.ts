// `xl cpupool-list` and `xl cpupool-list -c` (tools/xl/xl_cpupool.c:
// main_cpupoollist): the name as "%-19s", then "%3d %9s       y       %4d" (CPUs,
// scheduler, Active, domain count) or, with -c, the CPU numbers joined by commas. A
// name of 19 characters or more is not followed by a space, so the -c form is read by
// taking off the names the plain form gave.
import { ParseError } from '../errors';
import type { RemoteCpupool } from '../types';

const ROW = /^(.+?)\s*(\d+)\s+(\S+)\s+([yn])\s+(\d+)\s*$/;

export function parseXlCpupoolList(plain: string, cpuList: string): RemoteCpupool[] {
  const rows = plain.split('\n').filter((l) => l.trim() !== '');
  const header = rows.shift();
  if (header === undefined || !/^Name\s+CPUs\s+Sched\s+Active\s+Domain count/.test(header)) {
    throw new ParseError('xl cpupool-list', `no header line in ${JSON.stringify(plain.slice(0, 80))}`);
  }
  const pools = rows.map((line) => {
    // "%-19s%3d": the count is right-aligned in the three columns after the name.
    const name = line.length > 19 && line[18] === ' ' ? line.slice(0, 19).trimEnd() : undefined;
    const m = ROW.exec(name !== undefined ? `${name} ${line.slice(19)}` : line);
    if (!m) throw new ParseError('xl cpupool-list', `unexpected row ${JSON.stringify(line)}`);
    return { name: (m[1] as string).trimEnd(), nCpus: Number(m[2]), sched: m[3] as string, active: m[4] === 'y', nDom: Number(m[5]), cpus: [] as number[] };
  });
  const cRows = cpuList.split('\n').filter((l) => l.trim() !== '');
  const cHeader = cRows.shift();
  if (cHeader === undefined || !/^Name\s+CPU list/.test(cHeader)) {
    throw new ParseError('xl cpupool-list -c', `no header line in ${JSON.stringify(cpuList.slice(0, 80))}`);
  }
  if (cRows.length !== pools.length) throw new ParseError('xl cpupool-list -c', `${cRows.length} pools, but the plain list has ${pools.length}`);
  cRows.forEach((line, i) => {
    const pool = pools[i] as RemoteCpupool;
    if (!line.startsWith(pool.name)) throw new ParseError('xl cpupool-list -c', `row ${i} is not pool ${pool.name}: ${JSON.stringify(line)}`);
    const list = line.slice(Math.max(19, pool.name.length)).trim();
    if (list !== '' && !/^\d+(,\d+)*$/.test(list)) throw new ParseError('xl cpupool-list -c', `bad CPU list ${JSON.stringify(list)}`);
    pool.cpus = list === '' ? [] : list.split(',').map(Number);
    if (pool.cpus.length !== pool.nCpus) throw new ParseError('xl cpupool-list', `pool ${pool.name} has ${pool.nCpus} CPUs but lists ${pool.cpus.length}`);
  });
  return pools;
}
