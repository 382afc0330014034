import { describe, expect, it } from 'vitest';
import { parseLivepatchList } from '../../../../engine/remote/parse/xen-livepatch-list';
import { parseXenstoreLs, unsanitiseXenstoreValue } from '../../../../engine/remote/parse/xenstore-ls';
import { classifyXlFailure, parseLibxlMessages } from '../../../../engine/remote/parse/xl-stderr';
import { realCapture, realErr, realOut } from '../fixtures';

describe('xen-livepatch list parser', () => {
  it('reads "Nothing to list" from the real host as no payloads', () => {
    expect(parseLivepatchList(realOut('xen-livepatch-list'))).toEqual([]);
  });

  it('reads payload rows, a failed action and metadata (tools/misc/xen-livepatch.c format)', () => {
    const text = [
      ' ID                                     | status     | metadata',
      '----------------------------------------+------------+---------------',
      `${'xsa-999'.padEnd(40)}| APPLIED    | LIVEPATCH_RULEZ=1;BUILD=x`,
      `${'fix-2'.padEnd(40)}| CHECKED (16, Device or resource busy)    | `,
      '',
    ].join('\n');
    expect(parseLivepatchList(text)).toEqual([
      { name: 'xsa-999', state: 'APPLIED', metadata: 'LIVEPATCH_RULEZ=1;BUILD=x' },
      { name: 'fix-2', state: 'CHECKED', error: '16, Device or resource busy', metadata: '' },
    ]);
  });
});

describe('xenstore-ls parser (real output)', () => {
  it("rebuilds full paths of the guest's subtree", () => {
    const nodes = parseXenstoreLs(realOut('xenstore-ls-guest'), '/local/domain/2');
    const byPath = new Map(nodes.map((n) => [n.path, n.value]));
    expect(byPath.get('/local/domain/2/name')).toBe('xendeck-pv');
    expect(byPath.get('/local/domain/2/memory/target')).toBe('131072');
    expect(byPath.get('/local/domain/2/cpu/0/availability')).toBe('online');
    expect(byPath.get('/local/domain/2/control/feature-poweroff')).toBe('1');
    expect(byPath.get('/local/domain/2/console/type')).toBe('xenconsoled');
  });

  it('undoes sanitise_value escapes', () => {
    expect(unsanitiseXenstoreValue('a\\tb\\nc\\\\d\\001')).toBe('a\tb\nc\\d\u0001');
    expect(parseXenstoreLs('x = "say "hi""\n', '/')).toEqual([{ path: '/x', value: 'say "hi"' }]);
  });
});

describe('xl failure classification (real stderr)', () => {
  const cases: [string, string, RegExp][] = [
    ['xl-destroy-nosuch', 'no-such-domain', /nosuch is an invalid domain identifier/],
    ['xl-destroy-domid-99', 'no-such-domain', /Non-existant domain/],
    ['xl-domname-nosuch', 'no-such-domain', /domain id '99'/],
    ['xl-create-duplicate', 'domain-exists', /Domain with name "xendeck-pv" already exists/],
    ['xl-create-syntax-error', 'config-syntax', /config parsing error near `=': syntax error/],
    ['xl-create-missing-file', 'config-unreadable', /nosuch.cfg: No such file or directory/],
    ['xl-create-no-kernel', 'kernel-unreadable', /nonexistent\/vmlinuz/],
    ['xl-unknown-command', 'no-such-command', /command not implemented/],
    ['xl-sched-credit2-bad-weight', 'out-of-range', /Cpu weight out of range/],
    ['xl-sched-credit2-wrong-sched', 'wrong-scheduler', /returned credit not credit2/],
    ['xl-cpupool-destroy-busy', 'cpupool-busy', /Can't destroy cpupool 'cp-credit'/],
    ['xl-create-too-small', 'out-of-memory', /xc_dom_chk_alloc_pages: segment kernel too large .*Out of memory/],
  ];
  for (const [name, kind, summary] of cases) {
    it(`${name}: ${kind}`, () => {
      const c = realCapture(name);
      expect(c.exitCode).not.toBe(0);
      const f = classifyXlFailure(c.err);
      expect(f.kind).toBe(kind);
      expect(f.summary).toMatch(summary);
    });
  }

  it('parses libxl log lines with file, line, function and domid', () => {
    const m = parseLibxlMessages(realErr('xl-create-duplicate'));
    expect(m[0]).toEqual({ level: 'error', file: 'libxl_domain.c', line: 81, func: 'libxl__domain_rename', domid: 3, text: 'Domain with name "xendeck-pv" already exists.' });
    expect(m.map((x) => x.func)).toContain('initiate_domain_create');
  });
});
