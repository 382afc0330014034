import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Router } from '../../../main/api/router';
import { Lab } from '../../../main/services/lab';
import { readXenCore } from '../../../engine/toolstack/coredump/xc-core-reader';

describe('api: domain.coreDump / dump.list (core files by name in the lab dump folder)', () => {
  it('dumps into <lab>/dump/<host>/<name> and lists the file', async () => {
    const r = new Router({ lab: Lab.withDefaultHost(), mode: 'serve', appVersion: 'test', checkResults: true });
    expect((await r.request('domain.create', { hostId: 'lab1', configText: 'name="api1"\nmemory=32\n', paused: true })).ok).toBe(true);
    const name = `core-${process.pid}`;
    const dumped = await r.request('domain.coreDump', { hostId: 'lab1', domain: 'api1', name });
    expect(dumped).toMatchObject({ ok: true, result: { name, pages: 8192, vcpus: 1 } });
    const file = dumped.ok ? (dumped.result as { file: string }).file : '';
    expect(file).toMatch(new RegExp(`/dump/lab1/${name}$`));
    expect(readXenCore(readFileSync(file)).header.nrPages).toBe(8192);
    const list = await r.request('dump.list', { hostId: 'lab1' });
    expect(list).toMatchObject({ ok: true, result: { files: expect.arrayContaining([expect.objectContaining({ name })]) } });
  });

  it('refuses a path for a name (EBADREQ)', async () => {
    const r = new Router({ lab: Lab.withDefaultHost(), mode: 'serve', appVersion: 'test', checkResults: true });
    for (const name of ['../x', '/tmp/x', '.hidden', '']) {
      expect(await r.request('domain.coreDump', { hostId: 'lab1', domain: 0, name }), name).toMatchObject({ ok: false, error: { code: 'EBADREQ' } });
    }
  });
});
