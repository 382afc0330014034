import { describe, expect, it } from 'vitest';
import { Router } from '../../../main/api/router';
import { Lab } from '../../../main/services/lab';

function router(): Router {
  return new Router({ lab: Lab.withDefaultHost(), mode: 'serve', appVersion: 'test', checkResults: true });
}

describe('Router', () => {
  it('answers a valid request with a result that matches the contract', async () => {
    const r = await router().request('domain.list', { hostId: 'lab1' });
    expect(r.ok).toBe(true);
    if (r.ok) expect((r.result as { name: string }[]).map((d) => d.name)).toEqual(['Domain-0']);
    const hosts = await router().request('host.list', {});
    expect(hosts).toMatchObject({ ok: true, result: [{ id: 'lab1', kind: 'embedded', state: 'online', summary: { nrCpus: 8 } }] });
  });

  it('rejects an unknown method with ENOMETHOD', async () => {
    expect(await router().request('domain.explode', {})).toEqual({ ok: false, error: { code: 'ENOMETHOD', message: 'unknown method "domain.explode"' } });
    // prototype keys are not methods
    expect(await router().request('constructor', {})).toMatchObject({ ok: false, error: { code: 'ENOMETHOD' } });
  });

  it('rejects bad params with EBADREQ naming the field, before any service runs', async () => {
    const r = await router().request('domain.pause', { hostId: 'lab1', domain: -4 });
    expect(r).toMatchObject({ ok: false, error: { code: 'EBADREQ' } });
    if (!r.ok) expect(r.error.message).toContain('domain');
    const extra = await router().request('host.list', { sneaky: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'EBADREQ' } });
    const badHost = await router().request('domain.list', { hostId: '../etc' });
    expect(badHost).toMatchObject({ ok: false, error: { code: 'EBADREQ' } });
    const huge = await router().request('domain.create', { hostId: 'lab1', configText: 'x'.repeat(300 * 1024) });
    expect(huge).toMatchObject({ ok: false, error: { code: 'EBADREQ' } });
  });

  it('passes toolstack errors through with their code, hint and config location', async () => {
    const r = router();
    const unknown = await r.request('domain.pause', { hostId: 'lab1', domain: 'nosuch' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'EINVAL', message: 'nosuch is an invalid domain identifier (rc=-6)' } });
    const cfg = await r.request('domain.create', { hostId: 'lab1', configText: 'name = "a"\nmemory = = 1\n', file: 'a.cfg' });
    expect(cfg).toMatchObject({ ok: false, error: { code: 'ECONFIG', where: { file: 'a.cfg', line: 2 } } });
    const host = await r.request('domain.list', { hostId: 'nohost' });
    expect(host).toMatchObject({ ok: false, error: { code: 'ENOENT' } });
  });

  it('creates, pauses and destroys a domain', async () => {
    const r = router();
    const c = await r.request('domain.create', { hostId: 'lab1', configText: 'name = "g"\nmemory = 64\n' });
    expect(c).toMatchObject({ ok: true, result: { domid: 1, name: 'g' } });
    expect(await r.request('domain.pause', { hostId: 'lab1', domain: 'g' })).toEqual({ ok: true, result: {} });
    const g = await r.request('domain.get', { hostId: 'lab1', domain: 1 });
    expect(g.ok && (g.result as { state: string }).state[2]).toBe('p');
    expect(await r.request('domain.destroy', { hostId: 'lab1', domain: 1 })).toEqual({ ok: true, result: {} });
  });

  it('rename, mem-set, vcpu-set and per-vCPU RTDS: validated by schema, then the toolstack', async () => {
    const r = router();
    await r.request('domain.create', { hostId: 'lab1', configText: 'name = "g"\nmemory = 64\nmaxmem = 128\nvcpus = 1\nmaxvcpus = 2\n' });
    expect(await r.request('domain.rename', { hostId: 'lab1', domain: 'g', name: '../etc/passwd' })).toMatchObject({ ok: false, error: { code: 'EBADREQ' } });
    expect(await r.request('domain.rename', { hostId: 'lab1', domain: 'g', name: 'h' })).toEqual({ ok: true, result: {} });
    expect(await r.request('domain.setMemoryTarget', { hostId: 'lab1', domain: 'h', targetKiB: 1.5 })).toMatchObject({ ok: false, error: { code: 'EBADREQ' } });
    expect(await r.request('domain.setMemoryTarget', { hostId: 'lab1', domain: 'h', targetKiB: 256 * 1024 })).toMatchObject({ ok: false, error: { code: 'EINVAL', message: 'memory_dynamic_max must be less than or equal to memory_static_max' } });
    expect(await r.request('domain.setMemoryTarget', { hostId: 'lab1', domain: 'h', targetKiB: 96 * 1024 })).toEqual({ ok: true, result: {} });
    expect(await r.request('domain.setOnlineVcpus', { hostId: 'lab1', domain: 'h', count: 2 })).toEqual({ ok: true, result: {} });
    const d = await r.request('domain.get', { hostId: 'lab1', domain: 1 });
    expect(d).toMatchObject({ ok: true, result: { name: 'h', targetMemoryMiB: 96, onlineVcpus: 2 } });
    expect(await r.request('domain.setVcpuSched', { hostId: 'lab1', domain: 'h', vcpus: [] })).toMatchObject({ ok: false, error: { code: 'EBADREQ' } });
    expect(await r.request('domain.setVcpuSched', { hostId: 'lab1', domain: 'h', vcpus: [{ vcpu: 0, period: 100, budget: 50, extratime: true }] })).toMatchObject({
      ok: false,
      error: { code: 'EINVAL', message: 'per-VCPU parameter setting not supported for this scheduler' },
    });
  });

  it('subscribes to events and refuses unknown topics and bad params', async () => {
    const r = router();
    const got: unknown[] = [];
    const sub = r.subscribe('events', { hostId: 'lab1' }, (i) => got.push(i));
    expect('stop' in sub).toBe(true);
    await r.request('domain.create', { hostId: 'lab1', configText: 'name = "g"\n' });
    expect(got).toMatchObject([{ kind: 'domain.created', hostId: 'lab1', domain: { name: 'g' } }]);
    if ('stop' in sub) sub.stop();
    await r.request('domain.destroy', { hostId: 'lab1', domain: 'g' });
    expect(got).toHaveLength(1);
    expect(r.subscribe('nope', {}, () => undefined)).toMatchObject({ error: { code: 'ENOTOPIC' } });
    expect(r.subscribe('events', { hostId: 5 }, () => undefined)).toMatchObject({ error: { code: 'EBADREQ' } });
    expect(r.subscribe('events', { hostId: 'ghost' }, () => undefined)).toMatchObject({ error: { code: 'ENOENT' } });
  });
});
