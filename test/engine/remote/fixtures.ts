// Reads the outputs captured from a real Xen 4.17 host (test/fixtures/realxen).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../../fixtures/realxen/', import.meta.url));

interface IndexEntry {
  command: string;
  exitCode: number | null;
  stdout: string;
  stderr: string | null;
}

const index = JSON.parse(readFileSync(`${DIR}index.json`, 'utf8')) as Record<string, IndexEntry>;

export function realOut(name: string): string {
  return readFileSync(`${DIR}${name}.out`, 'utf8');
}

export function realErr(name: string): string {
  const f = `${DIR}${name}.err`;
  return existsSync(f) ? readFileSync(f, 'utf8') : '';
}

export function realCapture(name: string): IndexEntry & { out: string; err: string } {
  const e = index[name];
  if (e === undefined) throw new Error(`no capture named ${name}`);
  return { ...e, out: realOut(name), err: realErr(name) };
}

export function captureNames(): string[] {
  return Object.keys(index);
}
