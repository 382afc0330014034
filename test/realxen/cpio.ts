// A writer of "newc" cpio archives, the format the Linux kernel unpacks as an initramfs
// (linux Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte ASCII
// header of thirteen 8-digit hex fields, the NUL-terminated name, then the data, each
// padded to 4 bytes, closed by an entry named TRAILER!!!. Written here rather than with
// cpio(1) so the build needs no extra tool and device nodes need no mknod (no root).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

interface Entry {
  mode: number;
  data: Buffer | (() => Buffer);
  rdevMajor: number;
  rdevMinor: number;
}

export class InitramfsArchive {
  private readonly entries = new Map<string, Entry>();

  /** A directory and any missing parents. */
  dir(path: string, perm = 0o755): this {
    const clean = normalise(path);
    if (clean === '') return this;
    const parent = clean.includes('/') ? clean.slice(0, clean.lastIndexOf('/')) : '';
    if (parent !== '' && !this.entries.has(parent)) this.dir(parent);
    const have = this.entries.get(clean);
    if (have !== undefined && (have.mode & S_IFDIR) === 0) {
      throw new Error(`initramfs: ${clean} is already a non-directory`);
    }
    this.entries.set(clean, { mode: S_IFDIR | perm, data: Buffer.alloc(0), rdevMajor: 0, rdevMinor: 0 });
    return this;
  }

  /** A regular file with the given contents. */
  file(path: string, data: string | Buffer, perm = 0o644): this {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    return this.put(path, { mode: S_IFREG | perm, data: bytes, rdevMajor: 0, rdevMinor: 0 });
  }

  /** A regular file copied (following symlinks) from the build machine when written. */
  copy(path: string, source: string, perm = 0o755): this {
    return this.put(path, { mode: S_IFREG | perm, data: () => readFileSync(source), rdevMajor: 0, rdevMinor: 0 });
  }

  symlink(path: string, target: string): this {
    return this.put(path, { mode: S_IFLNK | 0o777, data: Buffer.from(target), rdevMajor: 0, rdevMinor: 0 });
  }

  charDevice(path: string, major: number, minor: number, perm: number): this {
    return this.put(path, { mode: S_IFCHR | perm, data: Buffer.alloc(0), rdevMajor: major, rdevMinor: minor });
  }

  has(path: string): boolean {
    return this.entries.has(normalise(path));
  }

  /** The uncompressed archive; entries sorted by name so equal inputs give equal bytes. */
  toBuffer(): Buffer {
    const parts: Buffer[] = [];
    let ino = 1;
    for (const name of [...this.entries.keys()].sort()) {
      const e = this.entries.get(name) as Entry;
      const data = typeof e.data === 'function' ? e.data() : e.data;
      parts.push(header(ino++, e.mode, (e.mode & S_IFDIR) !== 0 ? 2 : 1, data.length, e.rdevMajor, e.rdevMinor, name));
      parts.push(data, pad(data.length));
    }
    parts.push(header(0, 0, 1, 0, 0, 0, 'TRAILER!!!'));
    return Buffer.concat(parts);
  }

  /** The gzip-compressed archive, as the kernel and Xen's -initrd take it. */
  toGzip(): Buffer {
    return gzipSync(this.toBuffer(), { level: 6 });
  }

  private put(path: string, entry: Entry): this {
    const clean = normalise(path);
    const parent = clean.includes('/') ? clean.slice(0, clean.lastIndexOf('/')) : '';
    if (parent !== '' && !this.entries.has(parent)) this.dir(parent);
    this.entries.set(clean, entry);
    return this;
  }
}

function normalise(path: string): string {
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}

function pad(len: number): Buffer {
  return Buffer.alloc((4 - (len % 4)) % 4);
}

function header(ino: number, mode: number, nlink: number, size: number, rmaj: number, rmin: number, name: string): Buffer {
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  const nameBytes = Buffer.from(`${name}\0`);
  const fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rmaj, rmin, nameBytes.length, 0];
  const head = Buffer.from(`070701${fields.map(hex).join('')}`);
  const total = head.length + nameBytes.length;
  return Buffer.concat([head, nameBytes, Buffer.alloc((4 - (total % 4)) % 4)]);
}
