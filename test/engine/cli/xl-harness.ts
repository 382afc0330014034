/** Runs engine/cli/xl.ts main() with captured io against a fresh lab folder. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../engine/cli/xl';

export interface XlRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function newLab(): string {
  return mkdtempSync(join(tmpdir(), 'xendeck-xl-'));
}

export async function xl(lab: string, ...argv: string[]): Promise<XlRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['--lab', lab, ...argv], {
    stdin: null,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
  });
  return { code, stdout, stderr };
}

/** A real-Xen capture from test/fixtures/realxen. */
export function fixture(name: string): string {
  return readFileSync(join('test/fixtures/realxen', name), 'utf8');
}

/** The exit status index.json records for a capture. */
export function fixtureExit(name: string): number {
  const index = JSON.parse(fixture('index.json')) as Record<string, { exitCode: number }>;
  const e = index[name];
  if (!e) throw new Error(`no capture ${name}`);
  return e.exitCode;
}

/** The PV guest of the captures (test/realxen/capture.ts pvGuestConfig), written into `dir`. */
export function writeGuestConfig(dir: string, name = 'xendeck-pv', extra = ''): string {
  const path = join(dir, `${name}.cfg`);
  writeFileSync(
    path,
    `name = "${name}"\ntype = "pv"\nkernel = "/var/lib/xen/images/xendeck-pv/vmlinuz"\nramdisk = "/var/lib/xen/images/xendeck-pv/initrd.gz"\nextra = "console=hvc0 quiet"\nmemory = 128\nvcpus = 1\non_crash = "preserve"\n${extra}`,
  );
  return path;
}

/** Where each whitespace-separated field of a line ends: the column layout of a row. */
export function fieldEnds(line: string): number[] {
  return [...line.matchAll(/\S+/g)].map((m) => m.index + m[0].length);
}

/**
 * libxl JSON with every scalar replaced by V: what is left is the layout — keys, their
 * order, nesting, yajl's indentation and empty objects, the trailing newlines.
 */
export function jsonSkeleton(text: string): string {
  return text.replace(/: ("(?:[^"\\]|\\.)*"|-?\d+)/g, ': V').replace(/^(\s+)(?:"(?:[^"\\]|\\.)*"|-?\d+)(,?)$/gm, '$1V$2');
}
