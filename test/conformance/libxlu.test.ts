/**
 * Conformance of our xl.cfg parser against Xen's own: libxlutil.so.4.17 (Debian package
 * libxenmisc4.17), driven through Python ctypes by libxlu-oracle.py. For every fixture,
 * both must accept or reject alike, print the same error lines and read the same values
 * (xlu_cfg_get_string / xlu_cfg_get_list + get_listitem).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parseXlCfg, pythonWarnings, type XlValue } from '../../engine/toolstack/config';

interface Case {
  name: string;
  text: string;
}
interface OracleResult {
  name: string;
  rc: number;
  report: string[];
  values: Record<string, { string: string } | { list: (string | null)[] } | null>;
}

const LIB = '/usr/lib/x86_64-linux-gnu/libxlutil.so.4.17';
const cases = JSON.parse(readFileSync('test/fixtures/xlcfg/cases.json', 'utf8')) as Case[];

function keysOf(text: string): string[] {
  return [...new Set([...text.matchAll(/^\s*([a-z][._0-9a-z]*)\s*\+?=/gm)].map((m) => m[1]!))];
}

function ours(c: Case): OracleResult {
  const p = parseXlCfg(c.text, c.name);
  const report = p.errors.map((e) => e.message);
  if (p.likelyPython && p.errors.length > 0) report.push(...pythonWarnings());
  const atom = (v: XlValue): string | null => (v.kind === 'string' ? v.value : v.kind === 'number' ? v.text : null);
  const values: OracleResult['values'] = {};
  for (const k of keysOf(c.text)) {
    const s = p.settings.get(k);
    values[k] = !s ? null : s.value.kind === 'list' ? { list: s.value.items.map(atom) } : { string: atom(s.value)! };
  }
  return { name: c.name, rc: p.errors.length > 0 ? 22 : 0, report, values };
}

describe('xl.cfg parser against libxlutil 4.17', () => {
  it('the real parser is installed', () => {
    if (!existsSync(LIB)) {
      throw new Error(`${LIB} is missing: install Xen's parser with "apt-get install -y libxenmisc4.17" (and python3)`);
    }
  });

  const oracle = (): OracleResult[] => {
    const input = JSON.stringify(cases.map((c) => ({ ...c, keys: keysOf(c.text) })));
    const r = spawnSync('python3', ['test/conformance/libxlu-oracle.py'], { input, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`oracle failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as OracleResult[];
  };

  it.runIf(existsSync(LIB))(`gives the same decisions, error lines and values on ${cases.length} configs`, () => {
    const real = oracle();
    for (const [i, c] of cases.entries()) {
      expect({ case: c.name, ...ours(c) }).toEqual({ case: c.name, ...real[i]! });
    }
  });
});
