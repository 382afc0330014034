import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fixture, newLab } from './xl-harness';

const run = promisify(execFile);

describe('bin/xl.mjs', () => {
  it('runs `xl --lab DIR list` as a program', async () => {
    const lab = newLab();
    const { stdout, stderr } = await run(process.execPath, ['bin/xl.mjs', '--lab', lab, 'list'], { timeout: 60_000 });
    expect(stderr).toBe('');
    expect(stdout.split('\n')[0]).toBe(fixture('xl-list.out').split('\n')[0]);
    expect(stdout).toMatch(/\nDomain-0 +0 +1024 +4 /);
  }, 60_000);

  it('exits with xl\'s status', async () => {
    const e = await run(process.execPath, ['bin/xl.mjs', '--lab', newLab(), 'frobnicate'], { timeout: 60_000 }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 1, stderr: 'command not implemented\n' });
  }, 60_000);
});
