/**
 * Programs of Debian's xen-utils-4.17 for conformance tests: installed under
 * /usr/lib/xen-4.17, or fetched once with `apt-get download xen-utils-4.17` and unpacked
 * (dpkg-deb -x) into a cache folder, so the machine does not take the package's
 * dependencies (a Xen hypervisor among them).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const XEN_LIB = '/usr/lib/xen-4.17';
const CACHE = join(tmpdir(), 'xendeck-xen-utils-4.17');

/** The path of a file of the package (e.g. "bin/verify-stream-v2", "lib/python"), installed or unpacked. */
export function xenUtilsPath(rel: string): string {
  const installed = `${XEN_LIB}/${rel}`;
  if (existsSync(installed)) return installed;
  const unpacked = join(CACHE, 'root', installed);
  if (existsSync(unpacked)) return unpacked;
  mkdirSync(CACHE, { recursive: true });
  let dl = spawnSync('apt-get', ['download', 'xen-utils-4.17'], { cwd: CACHE, encoding: 'utf8', timeout: 120_000 });
  if (dl.status !== 0) {
    // No package lists yet (a fresh container): fetch them once and try again.
    spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8', timeout: 300_000 });
    dl = spawnSync('apt-get', ['download', 'xen-utils-4.17'], { cwd: CACHE, encoding: 'utf8', timeout: 120_000 });
  }
  const deb = readdirSync(CACHE).find((f) => f.startsWith('xen-utils-4.17_') && f.endsWith('.deb'));
  if (deb === undefined) {
    throw new Error(`cannot get Xen's ${rel}: \`apt-get download xen-utils-4.17\` failed: ${dl.stderr || dl.error?.message}`);
  }
  const x = spawnSync('dpkg-deb', ['-x', deb, 'root'], { cwd: CACHE, encoding: 'utf8' });
  if (x.status !== 0 || !existsSync(unpacked)) throw new Error(`cannot unpack ${deb}: ${x.stderr}`);
  return unpacked;
}

/** A program of xen-utils-4.17 (test-xenstore, xenstore-control, verify-stream-v2). */
export function xenUtil(name: string): string {
  return xenUtilsPath(`bin/${name}`);
}
