/**
 * Write a file so that a reader sees either the old contents or the new, never a torn
 * one, and a crash leaves no half-written file: write a temporary file next to it,
 * fsync it, then rename it over the target (rename(2) is atomic within a filesystem).
 */
import { open, rename, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export async function writeFileAtomic(path: string, data: string): Promise<void> {
  // unique per write, not just per process: two writers in one process must not share it
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomUUID()}.tmp`);
  try {
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
