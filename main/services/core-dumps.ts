/**
 * The core files of a lab: xl's XEN_DUMP_DIR (/var/lib/xen/dump) per host,
 * <lab>/dump/<host>/<name>. xl names a core after the domain (on_crash="coredump-*"),
 * `xl dump-core` after what it is asked; over the api a file is always a name, never a
 * path (the same rule as save images: letters, digits, _ . - starting with a letter or
 * digit, so it cannot leave the folder). A lab kept only in memory (tests) keeps them in
 * a private temporary folder.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolstackError } from '../../engine/toolstack/toolstack-error';
import { listFolder, SAVE_NAME_RE } from './save-images';

export interface CoreFileInfo {
  name: string;
  bytes: number;
  /** Wall-clock ms of the file's last change. */
  mtimeMs: number;
}

export class CoreDumps {
  constructor(private readonly labDir: string | undefined) {}

  /** The dump folder of host `hostId` (what the embedded host is given as its dumpDir). */
  static dirOf(labDir: string, hostId: string): string {
    return join(labDir, 'dump', hostId);
  }

  dir(hostId: string): string {
    return CoreDumps.dirOf(this.labDir ?? join(tmpdir(), `xendeck-lab-${process.pid}`), hostId);
  }

  /** The core file `name` of host `hostId`, its folder made (mode 0700 as the lab's). */
  path(hostId: string, name: string): string {
    if (!SAVE_NAME_RE.test(name)) throw new ToolstackError('EINVAL', `bad core file name "${name}"`, 'A name is 1-64 letters, digits, _ . - starting with a letter or digit');
    const d = this.dir(hostId);
    mkdirSync(d, { recursive: true, mode: 0o700 });
    return join(d, name);
  }

  list(hostId: string): CoreFileInfo[] {
    return listFolder(this.dir(hostId), (f) => (SAVE_NAME_RE.test(f) ? f : undefined)).filter((f) => f.bytes > 0);
  }
}
