import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../../main/api/envelope';
import { Router } from '../../../main/api/router';
import { ApiSession } from '../../../main/api/session';
import { Lab } from '../../../main/services/lab';

function session(): { s: ApiSession; sent: ServerMessage[]; lab: Lab } {
  const lab = Lab.withDefaultHost();
  const sent: ServerMessage[] = [];
  const s = new ApiSession(new Router({ lab, mode: 'serve', appVersion: 't' }), (m) => sent.push(m));
  return { s, sent, lab };
}

describe('ApiSession', () => {
  it('answers malformed input with EBADREQ and keeps going', async () => {
    const { s, sent } = session();
    await s.receive('{');
    await s.receive(JSON.stringify({ t: 'req', id: 3 }));
    await s.receive(JSON.stringify({ t: 'bogus', id: 4 }));
    await s.receive(42);
    await s.receive(JSON.stringify({ t: 'req', id: 5, method: 'app.info', params: {} }));
    expect(sent.map((m) => (m.t === 'res' && !m.ok ? m.error.code : m.t === 'res' ? 'ok' : m.t))).toEqual(['EBADREQ', 'EBADREQ', 'EBADREQ', 'EBADREQ', 'ok']);
    expect(sent[1]).toMatchObject({ id: 3 });
  });

  it('refuses an oversized message', async () => {
    const { s, sent } = session();
    await s.receive('x'.repeat(400 * 1024));
    expect(sent[0]).toMatchObject({ t: 'res', ok: false, error: { code: 'E2BIG' } });
  });

  it('streams subscription items as batches and ends them on unsub and close', async () => {
    const { s, sent, lab } = session();
    await s.receive({ t: 'sub', id: 9, topic: 'events', params: {} });
    expect(sent.at(-1)).toEqual({ t: 'res', id: 9, ok: true, result: {} });
    await lab.host('lab1').createDomain({ configText: 'name = "g"\n' });
    await new Promise((r) => setTimeout(r, 40));
    const batch = sent.find((m) => m.t === 'batch');
    expect(batch).toMatchObject({ id: 9, seq: 0, items: [{ kind: 'domain.created' }] });
    expect(s.subscriptions).toBe(1);
    await s.receive({ t: 'unsub', id: 9 });
    expect(s.subscriptions).toBe(0);
    await s.receive({ t: 'sub', id: 10, topic: 'nope', params: {} });
    expect(sent.at(-1)).toMatchObject({ t: 'end', id: 10, error: { code: 'ENOTOPIC' } });
    await s.receive({ t: 'sub', id: 11, topic: 'events', params: {} });
    s.close();
    expect(s.subscriptions).toBe(0);
  });
});
