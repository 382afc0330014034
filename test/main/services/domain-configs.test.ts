import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ToolstackEvent } from '../../../engine/toolstack/types';
import { Lab } from '../../../main/services/lab';
import { LabStore } from '../../../main/services/lab-store';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

describe('domain configs kept across restarts of the lab', () => {
  it('writes each created domain as an editable xl.cfg, removes it on destroy, and brings the rest back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labcfg-'));
    const lab = Lab.open(new LabStore(dir));
    await lab.restoreDomains();
    const h = lab.host('lab1');
    await h.createDomain({ configText: 'name = "web1"\nmemory = 128\n', file: 'web1.cfg' });
    await h.createDomain({ configText: 'name = "db1"\nmemory = 256\nvcpus = 2\n' });
    await h.createDomain({ configText: 'name = "tmp"\nmemory = 64\n' });
    await settle();
    const web1 = join(dir, 'domains', 'lab1', 'web1.cfg');
    expect(readFileSync(web1, 'utf8')).toBe('name = "web1"\nmemory = 128\n');
    await h.destroy('tmp');
    expect(existsSync(join(dir, 'domains', 'lab1', 'tmp.cfg'))).toBe(false);
    await lab.close();

    // an administrator edits one file and breaks another while XenDeck is stopped
    writeFileSync(web1, 'name = "web1"\nmemory = 512\n');
    writeFileSync(join(dir, 'domains', 'lab1', 'zz-broken.cfg'), 'name = "zz"\nmemory = = 1\n');
    const again = Lab.open(new LabStore(dir));
    const log: ToolstackEvent[] = [];
    again.subscribe((e) => log.push(e));
    expect(await again.restoreDomains()).toBe(2);
    const doms = await again.host('lab1').listDomains();
    expect(doms.map((d) => [d.name, d.memoryMiB])).toEqual([['Domain-0', 1024], ['db1', 256], ['web1', 512]]);
    const warn = log.find((e) => e.kind === 'host.log');
    expect(warn).toMatchObject({ level: 'warning' });
    expect(warn?.kind === 'host.log' && warn.message).toContain('zz-broken.cfg: not started again: ECONFIG');
    expect(existsSync(join(dir, 'domains', 'lab1', 'zz-broken.cfg'))).toBe(true);
    await again.close();
  });

  it('xl rename moves the file to the new name, with the new name inside; the next start uses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labcfg-'));
    const lab = Lab.open(new LabStore(dir));
    await lab.restoreDomains();
    const h = lab.host('lab1');
    await h.createDomain({ configText: '# web server\nname = "web1" # the old name\nmemory = 128\n', file: 'web1.cfg' });
    await settle();
    await h.renameDomain('web1', 'www');
    await settle();
    expect(existsSync(join(dir, 'domains', 'lab1', 'web1.cfg'))).toBe(false);
    expect(readFileSync(join(dir, 'domains', 'lab1', 'www.cfg'), 'utf8')).toBe('# web server\nname = "www" # the old name\nmemory = 128\n');
    await lab.close();
    const again = Lab.open(new LabStore(dir));
    await again.restoreDomains();
    expect((await again.host('lab1').listDomains()).map((d) => d.name)).toEqual(['Domain-0', 'www']);
    await again.close();
  });
});
