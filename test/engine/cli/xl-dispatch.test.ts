import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, fixtureExit, newLab, xl } from './xl-harness';

describe('xl: global options, command lookup, help', () => {
  it('an unknown command: "command not implemented", exit 1, as the real xl', async () => {
    const r = await xl(newLab(), 'frobnicate');
    expect(r.stderr).toBe(fixture('xl-unknown-command.err'));
    expect(r.stdout).toBe(fixture('xl-unknown-command.out'));
    expect(r.code).toBe(fixtureExit('xl-unknown-command'));
  });

  it('a command of real xl that XenDeck lacks says so by name (ENOSYS), exit 1', async () => {
    const r = await xl(newLab(), 'set-parameters', 'loglvl=all');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('xl set-parameters: not implemented in XenDeck yet\n');
    expect(r.stdout).toBe('');
  });

  it('takes an unambiguous prefix, and an exact name over a longer one', async () => {
    const lab = newLab();
    const full = await xl(lab, 'list');
    expect(await xl(lab, 'li')).toEqual(full);
    // "c" prefixes create, config-update, console, cd-insert...: ambiguous
    expect((await xl(lab, 'c')).stderr).toBe('command not implemented\n');
    // "info" is exact although nothing else starts with it; "domid" is exact
    expect((await xl(lab, 'domid', 'Domain-0')).stdout).toBe('0\n');
  });

  it('-N on a command without dry run is refused with xl\'s words', async () => {
    const lab = newLab();
    const r = await xl(lab, '-N', 'destroy', '1');
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'command does not implement -N (dryrun) option\n' });
    expect(existsSync(join(lab, 'journal.jsonl'))).toBe(false);
  });

  it('an unknown global option: "unknown global option", exit 1', async () => {
    expect(await xl(newLab(), '-x', 'list')).toEqual({ code: 1, stdout: '', stderr: 'unknown global option\n' });
  });

  it('help lists every command in xl\'s layout; help CMD prints its usage and options', async () => {
    const lab = newLab();
    const all = await xl(lab, 'help');
    expect(all.code).toBe(0);
    expect(all.stdout.startsWith('Usage xl [-vfNtT] <subcommand> [args]\n\nxl full list of subcommands:\n\n create              Create a domain')).toBe(true);
    // names longer than 19 columns continue on the next line
    expect(all.stdout).toContain(' pci-assignable-remove \n                     Remove a device from being assignable\n');
    const one = await xl(lab, 'help', 'create');
    expect(one.stdout.startsWith('Usage: xl [-vtTfN] create <ConfigFile> [options] [vars]\n\nCreate a domain from config file <filename>.\n\nOptions:\n\n-c ')).toBe(true);
    expect((await xl(lab, 'help', 'nosuch')).stdout).toBe('command "nosuch" not implemented\n');
    // -h on a command is the same help, exit 0
    const h = await xl(lab, 'list', '-h');
    expect(h.code).toBe(0);
    expect(h.stdout).toBe((await xl(lab, 'help', 'list')).stdout);
  });

  it('no command prints the full help and exits 1', async () => {
    const r = await xl(newLab());
    expect(r.code).toBe(1);
    expect(r.stdout.startsWith('Usage xl [-vfNtT]')).toBe(true);
  });

  it('bad command options and missing operands: xl\'s messages, exit 2', async () => {
    const lab = newLab();
    const bad = await xl(lab, 'list', '-q');
    expect(bad).toMatchObject({ code: 2, stderr: "option `q' not supported.\n" });
    const missing = await xl(lab, 'destroy');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("'xl destroy' requires at least 1 argument.\n\n");
    expect(missing.stdout.startsWith('Usage: xl [-vtTf] destroy [options] <Domain>')).toBe(true);
  });
});
