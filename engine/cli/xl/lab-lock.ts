/**
 * One writer at a time per lab: a mutating `xl --lab DIR` holds DIR/lock (created with
 * O_EXCL, holding the writer's pid) from before it replays the journal until after it
 * has appended its entry, so two concurrent commands cannot both act on the same old
 * state and lose an entry. Like xl's own lock on /var/lock/xl (acquire_lock() in
 * tools/xl/xl_vmcontrol.c), it is advisory; a lock whose process is gone is taken over.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

const WAIT_MS = 25;
const GIVE_UP_MS = 10_000;

export class LabBusyError extends Error {
  override readonly name = 'LabBusyError';
}

export interface LabLock {
  release(): Promise<void>;
}

export async function acquireLabLock(dir: string): Promise<LabLock> {
  const path = join(dir, 'lock');
  const started = Date.now();
  for (;;) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return { release: () => rm(path, { force: true }) };
    } catch (e) {
      if (!isCode(e, 'EEXIST')) throw e;
    }
    const holder = await lockHolder(path);
    if (holder !== undefined ? !alive(holder) : await olderThan(path, 2_000)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() - started > GIVE_UP_MS) {
      throw new LabBusyError(`lab ${dir} is busy: another xl (pid ${holder ?? '?'}) holds ${path}`);
    }
    await new Promise((r) => setTimeout(r, WAIT_MS));
  }
}

async function lockHolder(path: string): Promise<number | undefined> {
  try {
    const n = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** A lock without a pid is one whose writer died between creating and filling it. */
async function olderThan(path: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ms;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return !isCode(e, 'ESRCH');
  }
}

function isCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && (e as { code: unknown }).code === code;
}
