import { describe, expect, it } from 'vitest';
import type { ClientMessage, ServerMessage } from '../../main/api/envelope';
import { ApiClient, ApiRequestError } from '../../renderer/src/api/client';
import type { Link, LinkState } from '../../renderer/src/api/link';

class FakeLink implements Link {
  state: LinkState = 'open';
  sent: ClientMessage[] = [];
  private msg: ((m: ServerMessage) => void)[] = [];
  private st: ((s: LinkState) => void)[] = [];
  send(m: ClientMessage): void {
    this.sent.push(m);
  }
  onMessage(cb: (m: ServerMessage) => void): void {
    this.msg.push(cb);
  }
  onState(cb: (s: LinkState) => void): void {
    this.st.push(cb);
  }
  deliver(m: ServerMessage): void {
    for (const cb of this.msg) cb(m);
  }
  setState(s: LinkState): void {
    this.state = s;
    for (const cb of this.st) cb(s);
  }
}

describe('ApiClient', () => {
  it('matches responses to requests by id', async () => {
    const link = new FakeLink();
    const c = new ApiClient(link);
    const a = c.request('host.list', {});
    const b = c.request('domain.get', { hostId: 'lab1', domain: 'nosuch' });
    expect(link.sent).toMatchObject([{ t: 'req', method: 'host.list' }, { t: 'req', method: 'domain.get' }]);
    const [ida, idb] = link.sent.map((m) => m.id);
    link.deliver({ t: 'res', id: idb!, ok: false, error: { code: 'EINVAL', message: 'nosuch is an invalid domain identifier (rc=-6)', hint: 'xl list' } });
    link.deliver({ t: 'res', id: ida!, ok: true, result: [] });
    expect(await a).toEqual([]);
    const err = await b.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect(err).toMatchObject({ code: 'EINVAL', hint: 'xl list' });
  });

  it('hands batches to the subscriber and acks each after it ran', () => {
    const link = new FakeLink();
    const c = new ApiClient(link);
    const got: unknown[] = [];
    const stop = c.subscribe('events', { hostId: 'lab1' }, (items, dropped) => got.push([items.length, dropped]));
    const id = link.sent[0]!.id;
    link.deliver({ t: 'batch', id, seq: 0, items: [{}, {}] });
    link.deliver({ t: 'batch', id, seq: 1, items: [{}], dropped: 4 });
    expect(got).toEqual([[2, 0], [1, 4]]);
    expect(link.sent.filter((m) => m.t === 'ack')).toEqual([{ t: 'ack', id, seq: 0 }, { t: 'ack', id, seq: 1 }]);
    stop();
    expect(link.sent.at(-1)).toEqual({ t: 'unsub', id });
  });

  it('fails pending requests when the link drops and resubscribes when it is back', async () => {
    const link = new FakeLink();
    const c = new ApiClient(link);
    c.subscribe('events', {}, () => undefined);
    const p = c.request('app.info', {});
    link.setState('closed');
    await expect(p).rejects.toMatchObject({ code: 'ECONNRESET' });
    link.setState('open');
    expect(link.sent.filter((m) => m.t === 'sub')).toHaveLength(2);
  });
});
