/**
 * The domains of the lab's embedded hosts kept across restarts of XenDeck, as real
 * xl.cfg files a person can read and edit: `<lab>/domains/<host>/<name>.cfg`. A domain
 * created through the toolstack gets its file (written atomically: temp file, then
 * rename); destroying it removes the file. When the lab opens, each host's files are
 * created again in name order, as xendomains starts /etc/xen/auto at boot. `xl rename`
 * moves the file to the new name (and the name inside it). A file that
 * no longer builds is kept, and the reason reported as a host.log event.
 *
 * Not kept (yet): pause state, cpupools made at run time, moves between pools.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolstackHost } from '../../engine/toolstack/host-api';
import { ToolstackError } from '../../engine/toolstack/toolstack-error';
import type { ToolstackEvent } from '../../engine/toolstack/types';

export class DomainConfigStore {
  constructor(readonly dir: string) {}

  hostDir(hostId: string): string {
    return join(this.dir, hostId);
  }

  /** xl.cfg names are domain names; refuse anything that would leave the folder. */
  private file(hostId: string, name: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.')) throw new ToolstackError('EINVAL', `domain name ${JSON.stringify(name)} cannot be a file name`);
    return join(this.hostDir(hostId), `${name}.cfg`);
  }

  save(hostId: string, name: string, text: string): void {
    const f = this.file(hostId, name);
    mkdirSync(this.hostDir(hostId), { recursive: true });
    const tmp = `${f}.${process.pid}.tmp`;
    writeFileSync(tmp, text.endsWith('\n') ? text : `${text}\n`);
    renameSync(tmp, f);
  }

  remove(hostId: string, name: string): void {
    rmSync(this.file(hostId, name), { force: true });
  }

  /** The saved configs of a host, in name order (as xendomains lists /etc/xen/auto). */
  list(hostId: string): { name: string; file: string; text: string }[] {
    let names: string[];
    try {
      names = readdirSync(this.hostDir(hostId)).filter((f) => f.endsWith('.cfg')).sort();
    } catch {
      return [];
    }
    return names.map((f) => ({ name: f.slice(0, -4), file: join(this.hostDir(hostId), f), text: readFileSync(join(this.hostDir(hostId), f), 'utf8') }));
  }

  /** Create each saved domain on `host`; the ones that fail are reported, their files kept. */
  async restore(host: ToolstackHost, report: (message: string) => void): Promise<number> {
    let n = 0;
    for (const c of this.list(host.id)) {
      try {
        await host.createDomain({ configText: c.text, file: c.file });
        n++;
      } catch (e) {
        const t = ToolstackError.from(e);
        report(`${c.file}: not started again: ${t.code} ${t.message}`);
      }
    }
    return n;
  }

  /** Keep the files in step with the host's domains from now on. */
  follow(host: ToolstackHost): () => void {
    return host.subscribe((e: ToolstackEvent) => {
      if (e.kind === 'domain.created') {
        void host.domainConfigText(e.domain.domid).then(
          (c) => {
            if (c) this.save(host.id, e.domain.name, c.text);
          },
          () => undefined,
        );
      } else if (e.kind === 'domain.changed' && e.previousName !== undefined && e.previousName !== e.domain.name) {
        // xl rename: the file follows the domain's name, with the new name inside (the kept config has it)
        void host.domainConfigText(e.domain.domid).then(
          (c) => {
            if (!c) return;
            this.save(host.id, e.domain.name, c.text);
            this.remove(host.id, e.previousName!);
          },
          () => undefined,
        );
      } else if (e.kind === 'domain.destroyed') {
        this.remove(host.id, e.name);
      }
    });
  }
}
