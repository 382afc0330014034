/**
 * The save images of a lab: `xl save` files kept in <lab>/save/<host>/<name>.save. The
 * renderer names an image, never a path: a name is 1-64 letters, digits, _ . - starting
 * with a letter or digit, so it cannot leave the folder. A lab kept only in memory
 * (tests) keeps its images in a private temporary folder.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolstackError } from '../../engine/toolstack/toolstack-error';

export const SAVE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SUFFIX = '.save';

export interface SaveImageInfo {
  name: string;
  bytes: number;
  /** Wall-clock ms of the file's last change (the renderer shows it). */
  mtimeMs: number;
}

export class SaveImages {
  constructor(private readonly labDir: string | undefined) {}

  dir(hostId: string): string {
    const base = this.labDir ?? join(tmpdir(), `xendeck-lab-${process.pid}`);
    return join(base, 'save', hostId);
  }

  /** The file of image `name` of host `hostId`, its folder made (mode 0700 as the lab's). */
  path(hostId: string, name: string): string {
    if (!SAVE_NAME_RE.test(name)) throw new ToolstackError('EINVAL', `bad save image name "${name}"`, 'A name is 1-64 letters, digits, _ . - starting with a letter or digit');
    const d = this.dir(hostId);
    mkdirSync(d, { recursive: true, mode: 0o700 });
    return join(d, `${name}${SUFFIX}`);
  }

  list(hostId: string): SaveImageInfo[] {
    return listFolder(this.dir(hostId), (f) => (f.endsWith(SUFFIX) && SAVE_NAME_RE.test(f.slice(0, -SUFFIX.length)) ? f.slice(0, -SUFFIX.length) : undefined));
  }
}

/** The files of `dir` that `nameOf` names (undefined: left out), with size and time, by name; [] without the folder. */
export function listFolder(dir: string, nameOf: (file: string) => string | undefined): SaveImageInfo[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .flatMap((f) => {
      const name = nameOf(f);
      if (name === undefined) return [];
      const st = statSync(join(dir, f));
      return [{ name, bytes: st.size, mtimeMs: Math.floor(st.mtimeMs) }];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
