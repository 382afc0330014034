// Debian package handling for the real-Xen harness: resolve the candidate versions of
// the packages the dom0 image is built from, download them with `apt-get download`
// (nothing is installed on the build machine) and unpack them with `dpkg-deb -x`.
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError, run, tryRun } from './run';

export interface DebPackage {
  name: string;
  version: string;
}

let updated = false;

/** `apt-get update` once per run, only when a package has no candidate yet. */
function aptUpdate(): void {
  if (updated) return;
  updated = true;
  run(['apt-get', 'update', '-qq']);
}

/** The versions apt would install, one apt-cache call for all; updates the lists once if one is unknown. */
export function candidateVersions(names: readonly string[]): Map<string, string> {
  for (let attempt = 0; ; attempt++) {
    const out = tryRun(['apt-cache', 'policy', ...names]).stdout;
    const found = new Map<string, string>();
    let current: string | undefined;
    for (const line of out.split('\n')) {
      const head = /^(\S+):$/.exec(line);
      if (head) current = head[1];
      const cand = /^\s*Candidate:\s*(\S+)/.exec(line);
      if (cand && current !== undefined && cand[1] !== undefined && cand[1] !== '(none)') found.set(current, cand[1]);
    }
    const missing = names.filter((n) => !found.has(n));
    if (missing.length === 0) return found;
    if (attempt > 0) {
      throw new HarnessError(`Debian packages without an installable candidate: ${missing.join(', ')} (is the bookworm archive in sources.list?)`);
    }
    aptUpdate();
  }
}

/** The packages of the list that dpkg has installed on the build machine. */
export function installedPackages(names: readonly string[]): Set<string> {
  const r = tryRun(['dpkg-query', '-W', '-f=${Package} ${Status}\n', ...names]);
  const have = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    const [name, ...status] = line.split(' ');
    if (name !== undefined && status.join(' ') === 'install ok installed') have.add(name.replace(/:amd64$/, ''));
  }
  return have;
}

/**
 * The hard dependencies (Depends, Pre-Depends) of each package, one name per dependency
 * group: for an alternative `a | b` the first real package is taken, as apt would.
 */
export function hardDepends(names: readonly string[]): Map<string, string[]> {
  const out = run([
    'apt-cache', 'depends', '--no-recommends', '--no-suggests', '--no-conflicts',
    '--no-breaks', '--no-replaces', '--no-enhances', ...names,
  ]).stdout;
  const deps = new Map<string, string[]>();
  let current: string[] = [];
  let inAlternative = false;
  for (const line of out.split('\n')) {
    if (/^\S/.test(line)) {
      current = [];
      deps.set(line.trim(), current);
      inAlternative = false;
      continue;
    }
    const m = /^\s*(\|)?(?:Pre)?Depends:\s*(\S+)/.exec(line);
    if (!m || m[2] === undefined) continue;
    const alternativeContinues = inAlternative;
    inAlternative = m[1] === '|';
    if (alternativeContinues) continue;
    const dep = m[2];
    if (dep.startsWith('<')) continue; // virtual package; a real provider follows as its own group
    if (!current.includes(dep)) current.push(dep);
  }
  return deps;
}

/**
 * The library packages a set of packages needs: follows Depends through `lib*`
 * packages only (programs like python3 are not wanted in a dom0 initramfs). Xen's own
 * libraries (libxen*) are always taken from the archive, so the image does not depend
 * on whether this machine has xen-utils installed; other libraries only when this
 * machine lacks them (ldd then takes the rest from here).
 */
export function libraryDepends(roots: readonly string[]): string[] {
  const seen = new Set<string>(roots);
  const wanted: string[] = [];
  let level = [...roots];
  while (level.length > 0) {
    const next: string[] = [];
    const deps = [...hardDepends(level).values()].flat().filter((d) => !seen.has(d) && d.startsWith('lib'));
    for (const d of deps) seen.add(d);
    const installed = installedPackages(deps);
    for (const d of deps) {
      if (d.startsWith('libxen') || !installed.has(d)) {
        wanted.push(d);
        next.push(d);
      }
    }
    level = next;
  }
  return [...new Set(wanted)].sort();
}

/**
 * The concrete package a Debian metapackage such as linux-image-amd64 points at
 * (its first Depends), so the image cache is keyed by the real kernel version.
 */
export function resolveMetapackages(metas: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [meta, deps] of hardDepends(metas)) {
    const dep = deps.find((d) => d.startsWith('linux-image-'));
    if (dep === undefined) throw new HarnessError(`metapackage ${meta} names no linux-image package`);
    out.set(meta, dep);
  }
  return out;
}

/** Downloads NAME=VERSION into debDir (reusing a file already there); returns its path. */
export function download(pkg: DebPackage, debDir: string): string {
  mkdirSync(debDir, { recursive: true });
  const wanted = `${pkg.name}_${pkg.version.replace(/:/g, '%3a')}_`;
  const find = (): string | undefined =>
    readdirSync(debDir).find((f) => f.startsWith(wanted) && f.endsWith('.deb'));
  const have = find();
  if (have !== undefined) return join(debDir, have);
  // apt-get download writes into the current directory; use a scratch directory so a
  // killed download never leaves a partial .deb that a later run would trust.
  const scratch = join(debDir, `.partial-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch);
  try {
    run(['apt-get', 'download', '-qq', `${pkg.name}=${pkg.version}`], { cwd: scratch });
    const got = readdirSync(scratch).find((f) => f.endsWith('.deb'));
    if (got === undefined) throw new HarnessError(`apt-get download ${pkg.name} produced no .deb`);
    renameSync(join(scratch, got), join(debDir, got));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const done = find();
  if (done === undefined) throw new HarnessError(`downloaded ${pkg.name} but cannot find it in ${debDir}`);
  return join(debDir, done);
}

/** Unpacks a .deb's files (not its maintainer scripts) into dir. */
export function extract(debPath: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  run(['dpkg-deb', '-x', debPath, dir]);
}
