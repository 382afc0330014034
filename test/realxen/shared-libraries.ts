// Finds the shared libraries a set of executables needs, with ldd run against the
// unpacked Debian packages first and the build machine second (both are Debian 12, so
// the host's libc and friends are the very files dom0 would have had).
import { existsSync, realpathSync } from 'node:fs';
import { HarnessError, run } from './run';

export interface LibraryFile {
  /** Where the file is read from on the build machine. */
  source: string;
  /** Where it goes in the image (usr-merged: /lib/x → /usr/lib/x). */
  target: string;
}

/** Maps a path to its place in a usr-merged root, where /lib, /lib64, /bin and /sbin are links into /usr. */
export function usrMerged(path: string): string {
  return /^\/(lib|lib64|bin|sbin)\//.test(path) ? `/usr${path}` : path;
}

/**
 * The libraries (and the ELF interpreter) the executables load, transitively, as ldd
 * reports them. libDirs are searched before the system directories, as LD_LIBRARY_PATH.
 * sysroot is the directory the Debian packages were unpacked into: a library found
 * there goes to the same path in the image.
 */
export function neededLibraries(executables: readonly string[], sysroot: string, libDirs: readonly string[]): LibraryFile[] {
  const out = new Map<string, LibraryFile>();
  for (const exe of executables) {
    const r = run(['ldd', exe], { env: { ...process.env, LD_LIBRARY_PATH: libDirs.join(':') } });
    for (const line of r.stdout.split('\n')) {
      const missing = /^\s*(\S+) => not found/.exec(line);
      if (missing) throw new HarnessError(`${exe} needs ${missing[1]}, found neither in the unpacked packages nor on this machine`);
      const m = /^\s*(?:\S+ => )?(\/\S+) \(0x[0-9a-f]+\)/.exec(line);
      if (!m || m[1] === undefined) continue;
      const path = m[1];
      const inSysroot = path.startsWith(`${sysroot}/`);
      const target = usrMerged(inSysroot ? path.slice(sysroot.length) : path);
      out.set(target, { source: realpathSync(path), target });
    }
  }
  return [...out.values()].sort((a, b) => a.target.localeCompare(b.target));
}

/**
 * A library loaded with dlopen that ldd cannot see, taken from the build machine:
 * libgcc_s.so.1 is the one glibc's pthread_cancel needs (xl aborts without it).
 */
export function hostLibrary(soname: string): LibraryFile {
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu']) {
    const path = `${dir}/${soname}`;
    if (existsSync(path)) return { source: realpathSync(path), target: usrMerged(path) };
  }
  throw new HarnessError(`${soname} is not installed on this machine (package libgcc-s1)`);
}
