import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newLab, xl } from './xl-harness';

/** Pieces of configs, good and bad: xl's own errors and libxl's failures among them. */
const LINE = fc.oneof(
  fc.constantFrom(
    'name = "g1"',
    'name = "g2"',
    'name = ""',
    'memory = 64',
    'memory = 0',
    'memory = 99999999',
    'maxmem = 8',
    'vcpus = 3',
    'maxvcpus = 1',
    'type = "x"',
    'type = "hvm"',
    'builder = "hvm"',
    'pool = "nope"',
    'on_poweroff = "boom"',
    'on_reboot = "preserve"',
    'uuid = "zz"',
    'kernel = "/usr/lib/xen/boot/hvmloader"',
    'memory = 1 + 2',
    'Name = 1',
    'disk = [ "a", ',
    'extra = "x\\q"',
    'memory = [ 1 ]',
    '# a comment',
    '',
  ),
  fc.string({ maxLength: 12 }),
);

const journalOf = (lab: string): string => (existsSync(join(lab, 'journal.jsonl')) ? readFileSync(join(lab, 'journal.jsonl'), 'utf8') : '');

describe('xl create on random and broken configs', () => {
  it('never throws, exits as xl does (0, 1 or 3), and a failed create changes nothing', async () => {
    const lab = newLab();
    const cfg = join(lab, 'fuzz.cfg');
    const outcomes = new Set<number>();
    await fc.assert(
      // a valid config, then a few pieces appended (the last assignment wins)
      fc.asyncProperty(fc.array(LINE, { maxLength: 4 }), async (extra) => {
        writeFileSync(cfg, ['name = "base"', 'memory = 64', ...extra].join('\n') + '\n');
        const before = { list: await xl(lab, 'list', '-v'), journal: journalOf(lab) };
        const r = await xl(lab, 'create', cfg);
        expect([0, 1, 3]).toContain(r.code);
        outcomes.add(r.code);
        expect(r.stderr.startsWith(`Parsing config from ${cfg}\n`)).toBe(true);
        const after = journalOf(lab);
        if (r.code !== 0) {
          expect(await xl(lab, 'list', '-v')).toEqual(before.list);
          expect(after).toBe(before.journal);
        } else {
          const entries = (j: string): number => (j === '' ? 0 : j.trimEnd().split('\n').length);
          expect(entries(after)).toBe(entries(before.journal) + 1);
          // destroy the newest domain again, to keep names free for later runs
          const rows = (await xl(lab, 'list')).stdout.trimEnd().split('\n');
          expect((await xl(lab, 'destroy', rows[rows.length - 1]!.split(/\s+/)[1]!)).code).toBe(0);
        }
      }),
      { numRuns: 80, seed: 5, examples: [[['memory = 99999999']], [['vcpus = 3', 'memory = 0']]] },
    );
    expect([...outcomes].sort()).toEqual([0, 1, 3]);
  }, 60_000);
});
