import { describe, expect, it } from 'vitest';
import { Router } from '../../../main/api/router';
import { Lab } from '../../../main/services/lab';

describe('api: domain.save / domain.restore / save.list (images by name in the lab folder)', () => {
  it('saves into the save folder by name, lists the image, restores it', async () => {
    const r = new Router({ lab: Lab.withDefaultHost(), mode: 'serve', appVersion: 'test', checkResults: true });
    const created = await r.request('domain.create', { hostId: 'lab1', configText: 'name="api1"\nmemory=32\n', paused: true });
    expect(created.ok).toBe(true);
    const name = `img-${process.pid}`;
    const saved = await r.request('domain.save', { hostId: 'lab1', domain: 'api1', name });
    expect(saved).toMatchObject({ ok: true, result: { name, pages: 8192, dataPages: 0 } });
    if (saved.ok) expect((saved.result as { file: string }).file).toMatch(new RegExp(`/save/lab1/${name}\\.save$`));
    const list = await r.request('save.list', { hostId: 'lab1' });
    expect(list).toMatchObject({ ok: true, result: { images: expect.arrayContaining([expect.objectContaining({ name })]) } });
    const restored = await r.request('domain.restore', { hostId: 'lab1', name, paused: true });
    expect(restored).toMatchObject({ ok: true, result: { name: 'api1', pages: 8192 } });
  });

  it('refuses a path for a name (EBADREQ) before anything runs', async () => {
    const r = new Router({ lab: Lab.withDefaultHost(), mode: 'serve', appVersion: 'test', checkResults: true });
    for (const name of ['../../etc/passwd', '/tmp/x', '.hidden', 'a/b', '']) {
      expect(await r.request('domain.save', { hostId: 'lab1', domain: 0, name }), name).toMatchObject({ ok: false, error: { code: 'EBADREQ' } });
      expect(await r.request('domain.restore', { hostId: 'lab1', name }), name).toMatchObject({ ok: false, error: { code: 'EBADREQ' } });
    }
  });

  it('an image that is not there is ENOENT; Domain-0 cannot be saved', async () => {
    const r = new Router({ lab: Lab.withDefaultHost(), mode: 'serve', appVersion: 'test', checkResults: true });
    expect(await r.request('domain.restore', { hostId: 'lab1', name: 'never-saved' })).toMatchObject({ ok: false, error: { code: 'ENOENT' } });
    expect(await r.request('domain.save', { hostId: 'lab1', domain: 0, name: 'dom0' })).toMatchObject({ ok: false, error: { code: 'EINVAL', message: 'Domain-0 cannot be saved' } });
  });
});
