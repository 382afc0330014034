// `xl sched-credit`, `xl sched-credit2`, `xl sched-rtds` (tools/xl/xl_sched.c):
// for each pool on that scheduler a pool line ("Cpupool %s: tslice=%dms
// ratelimit=%dus migration-delay=%dus", "Cpupool %s: ratelimit=%dus", "Cpupool %s:
// sched=RTDS" or "Cpupool %s: [sched params unavailable]"), a header and the domains:
// "%-33s %4d %6d %4d" (name, id, weight, cap) for credit and credit2, period, budget
// and extratime for RTDS (with a VCPU column when asked per vCPU). With -d there is no
// pool line. No pool on that scheduler prints nothing at all.
import { ParseError } from '../errors';
import type { DomainSchedParams, PoolSchedParams } from '../types';

export type SchedName = PoolSchedParams['sched'];

/** "tslice=30ms" → ["tslice_ms", 30]; "migration-delay=0us" → ["migration_delay_us", 0]. */
function poolParam(word: string): [string, number] | undefined {
  const m = /^([a-z-]+)=(\d+)(ms|us)$/.exec(word);
  if (!m) return undefined;
  return [`${(m[1] as string).replace(/-/g, '_')}_${m[3]}`, Number(m[2])];
}

export function parseXlSched(text: string, sched: SchedName): PoolSchedParams[] {
  const what = `xl sched-${sched}`;
  const blocks: PoolSchedParams[] = [];
  let current: PoolSchedParams | undefined;
  let columns: string[] | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const pool = /^Cpupool (.+?): (.*)$/.exec(line);
    if (pool) {
      const params: Record<string, number> = {};
      const body = (pool[2] as string).trim();
      if (body !== '[sched params unavailable]' && body !== 'sched=RTDS') {
        for (const w of body.split(/\s+/)) {
          const p = poolParam(w);
          if (!p) throw new ParseError(what, `unexpected pool parameter ${JSON.stringify(w)}`);
          params[p[0]] = p[1];
        }
      }
      current = { pool: pool[1] as string, sched, params, domains: [] };
      blocks.push(current);
      columns = undefined;
      continue;
    }
    if (/^Name\s+ID\s/.test(line)) {
      columns = line.trim().split(/\s+/).slice(2);
      if (current === undefined) {
        current = { pool: null, sched, params: {}, domains: [] };
        blocks.push(current);
      }
      continue;
    }
    if (current === undefined || columns === undefined) throw new ParseError(what, `row before any header: ${JSON.stringify(line)}`);
    current.domains.push(domainRow(what, line, columns));
  }
  return blocks;
}

function domainRow(what: string, line: string, columns: readonly string[]): DomainSchedParams {
  const n = columns.length;
  const re = new RegExp(`^(.+?)\\s+(\\d+)${'\\s+(\\S+)'.repeat(n)}\\s*$`);
  const m = re.exec(line);
  if (!m) throw new ParseError(what, `unexpected row ${JSON.stringify(line)}`);
  const d: DomainSchedParams = { name: (m[1] as string).trimEnd(), domid: Number(m[2]) };
  columns.forEach((col, i) => {
    const v = m[3 + i] as string;
    const num = (): number => {
      const x = Number(v);
      if (!Number.isInteger(x)) throw new ParseError(what, `${col} is not a number in ${JSON.stringify(line)}`);
      return x;
    };
    switch (col) {
      case 'Weight': d.weight = num(); break;
      case 'Cap': d.cap = num(); break;
      case 'Period': d.periodUs = num(); break;
      case 'Budget': d.budgetUs = num(); break;
      case 'VCPU': d.vcpu = num(); break;
      case 'Extratime':
        if (v !== 'yes' && v !== 'no') throw new ParseError(what, `Extratime is ${JSON.stringify(v)}`);
        d.extratime = v === 'yes';
        break;
      default: throw new ParseError(what, `unknown column ${col}`);
    }
  });
  return d;
}
