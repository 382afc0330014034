import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newLab, writeGuestConfig, xl } from './xl-harness';

describe('xl --lab: one host across runs, kept as a journal', () => {
  it('a second main() replays the journal and sees the same host', async () => {
    const lab = newLab();
    await xl(lab, 'create', writeGuestConfig(lab));
    await xl(lab, 'create', writeGuestConfig(lab, 'web2'));
    await xl(lab, 'pause', 'web2');
    await xl(lab, 'destroy', 'xendeck-pv');
    const first = await xl(lab, 'list', '-v');
    expect(first.stdout).toMatch(/\nweb2 +2 +128 +1 {5}..p--- /);
    expect(first.stdout).not.toContain('xendeck-pv');
    // a run reads everything back from DIR: the same rows, uuids included
    expect(await xl(lab, 'list', '-v')).toEqual(first);
    const journal = readFileSync(join(lab, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { op: string });
    expect(journal.map((e) => e.op)).toEqual(['create', 'create', 'pause', 'destroy']);
    expect(JSON.parse(readFileSync(join(lab, 'lab.json'), 'utf8'))).toEqual({ format: 1, preset: 'small-lab', seed: 1, hostname: 'xendeck-lab', createdMs: expect.any(Number) });
    // the next domid follows on from the replayed ones
    await xl(lab, 'create', writeGuestConfig(lab, 'web3'));
    expect((await xl(lab, 'domid', 'web3')).stdout).toBe('3\n');
  });

  it('failed and read-only commands leave no journal entry; no temporary or lock file is left', async () => {
    const lab = newLab();
    await xl(lab, 'destroy', '99');
    await xl(lab, 'list');
    await xl(lab, 'create', '/etc/xen/nosuch.cfg');
    expect(readdirSync(lab).sort()).toEqual(['lab.json']);
    await xl(lab, 'create', writeGuestConfig(lab));
    expect(readdirSync(lab).sort()).toEqual(['journal.jsonl', 'lab.json', 'xendeck-pv.cfg']);
  });

  it('commands running at once are serialised by the lab lock: no entry is lost', async () => {
    const lab = newLab();
    const names = ['a1', 'a2', 'a3', 'a4'];
    const cfgs = names.map((n) => writeGuestConfig(lab, n));
    const runs = await Promise.all(cfgs.map((c) => xl(lab, 'create', c)));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const listed = (await xl(lab, 'list')).stdout;
    for (const n of names) expect(listed).toContain(`\n${n} `);
  });

  it('a lock left by a process that is gone is taken over', async () => {
    const lab = newLab();
    await xl(lab, 'list');
    writeFileSync(join(lab, 'lock'), '999999999\n');
    expect((await xl(lab, 'create', writeGuestConfig(lab))).code).toBe(0);
  });

  it('a damaged journal is reported with its line, never skipped', async () => {
    const lab = newLab();
    await xl(lab, 'create', writeGuestConfig(lab));
    writeFileSync(join(lab, 'journal.jsonl'), readFileSync(join(lab, 'journal.jsonl'), 'utf8') + '{"op":"frob"}\n');
    const r = await xl(lab, 'list');
    expect(r.code).toBe(1);
    expect(r.stderr.startsWith(`xl: ${join(lab, 'journal.jsonl')}:2: not a journal entry (`)).toBe(true);
  });

  it('an entry that no longer replays names itself', async () => {
    const lab = newLab();
    writeFileSync(join(lab, 'journal.jsonl'), '{"op":"destroy","domid":5}\n');
    const r = await xl(lab, 'list');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`journal.jsonl:1: "destroy 5" no longer replays: `);
  });

  it('lab.json chooses the host: preset and seed', async () => {
    const lab = newLab();
    writeFileSync(join(lab, 'lab.json'), JSON.stringify({ format: 1, preset: 'haswell-ep-2s', seed: 7, hostname: 'big' }));
    expect((await xl(lab, 'info', 'nr_cpus')).stdout).toBe('72\n');
    expect((await xl(lab, 'info', 'host')).stdout).toBe('big\n');
    writeFileSync(join(lab, 'lab.json'), '{"format":1}');
    const bad = await xl(lab, 'list');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^xl: .*lab\.json: preset: /);
  });
});
