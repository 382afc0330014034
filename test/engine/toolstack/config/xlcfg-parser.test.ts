import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConfigError, getLong, parseXlCfg, parseXlCfgStrict } from '../../../../engine/toolstack/config';

const str = (v: unknown): string => {
  const x = v as { kind: string; value?: string; text?: string };
  return x.kind === 'string' ? x.value! : x.text!;
};

describe('xl.cfg parser (libxlu_cfg grammar)', () => {
  it('keeps numbers as text and reads them as strtol(…, 0) does', () => {
    const p = parseXlCfg('memory = 0x200\nmaxmem = 010\nvcpus="4"\n', 'vm.cfg');
    expect(p.errors).toEqual([]);
    expect(str(p.settings.get('memory')!.value)).toBe('0x200');
    expect(getLong(p, 'memory')).toBe(512);
    expect(getLong(p, 'maxmem')).toBe(8);
    expect(getLong(p, 'vcpus')).toBe(4);
  });

  it('lets the last assignment win and += concatenate strings and append lists', () => {
    const p = parseXlCfg('name="vm1"; name="vm2"\nextra="a\\tb"\nextra += " more"\ndisk=[ "a,raw,xvda",\n "b" , ]\ndisk += ["c"]\n');
    expect(p.errors).toEqual([]);
    expect(str(p.settings.get('name')!.value)).toBe('vm2');
    expect(str(p.settings.get('extra')!.value)).toBe('a\tb more');
    const disk = p.settings.get('disk')!.value;
    expect(disk.kind).toBe('list');
    expect(disk.kind === 'list' && disk.items.map(str)).toEqual(['a,raw,xvda', 'b', 'c']);
  });

  it('rejects uppercase keys, Python arithmetic and a final comment without newline, naming file and line', () => {
    const up = parseXlCfg('name="a"\nName="b"\n', 'vm.cfg');
    expect(up.errors[0]).toBeInstanceOf(ConfigError);
    expect(up.errors[0]!.message).toBe("vm.cfg:2: config parsing error near `Name=\"b\"': lexical error");
    const py = parseXlCfg('memory = 512 + 1\n', 'vm.cfg');
    expect(py.likelyPython).toBe(true);
    expect(py.errors[0]!.line).toBe(1);
    // settings stored before the error survive, as in xl
    expect(getLong(py, 'memory')).toBe(512);
    expect(parseXlCfg('a=1\n# end').errors[0]!.detail).toMatch(/lexical error/);
  });

  it('reports bison-style syntax errors and drops later assignments', () => {
    const p = parseXlCfg("a = 'it''s'\nb = 2\n", 'x.cfg');
    expect(p.errors[0]!.message).toBe("x.cfg:1: config parsing error near `'s'': syntax error, unexpected STRING, expecting $end");
    expect(p.settings.has('b')).toBe(false);
    const nl = parseXlCfg('b =\n2\n', 'x.cfg');
    // xl puts an error on a NEWLINE token on the line before it
    expect(nl.errors[0]!.message).toBe("x.cfg:0: config parsing error near <newline>: syntax error, unexpected NEWLINE, expecting STRING or NUMBER or '['");
    expect(() => parseXlCfgStrict('a = 1 b = 2\n', 'y.cfg')).toThrowError(/^y.cfg:1: /);
  });

  it('reproduces xl escape quirks: \\x always fails, \\NNN needs 3-4 digits and vanishes', () => {
    expect(parseXlCfg('a="\\x41"\n').errors[0]!.detail).toMatch(/hexnumerical/);
    expect(parseXlCfg('a="\\65"\n').errors[0]!.detail).toMatch(/octalnumerical/);
    const p = parseXlCfg('a="x\\101y"\n');
    expect(str(p.settings.get('a')!.value)).toBe('xy');
    expect(parseXlCfg('a="\\q"\n').errors[0]!.detail).toMatch(/invalid character after backlash/);
  });

  it('mixing list and string with += is refused', () => {
    expect(parseXlCfg('a="x"\na += ["y"]\n', 'h.cfg').errors[0]!.message).toBe(
      `h.cfg:2: config parsing error near \`]': can't add [list] to "string" or vice versa`,
    );
  });

  it('never throws on arbitrary input: only ConfigErrors with a line', () => {
    const alphabet = fc.constantFrom(...'ab=[],;"\'#\n +-0x9\\ \tZ('.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 80 }).map((a) => a.join('')), (text) => {
        const r = parseXlCfg(text, 'f.cfg');
        for (const e of r.errors) {
          expect(e).toBeInstanceOf(ConfigError);
          // line 0 is possible: xl reports a NEWLINE token on the line before it
          expect(e.line).toBeGreaterThanOrEqual(0);
          expect(e.line).toBeLessThanOrEqual(text.split('\n').length);
        }
      }),
      { numRuns: 500 },
    );
  });
});
