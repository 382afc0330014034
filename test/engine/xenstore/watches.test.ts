import { describe, expect, it } from 'vitest';
import { XsType, encode, joinStrings } from '../../../engine/xenstore/wire';
import { MemClient, daemon, text } from './helpers';

describe('xenstore watches', () => {
  it('fires once on registration, after the OK reply', () => {
    const d = daemon();
    const c = new MemClient(d, 0);
    c.conn.receive(encode(XsType.WATCH, 9, 0, joinStrings(['/w', 'tok'])));
    c.conn.flush();
    expect(c.inbox.map((m) => [m.type, m.reqId, m.payload.toString('latin1')])).toEqual([
      [XsType.WATCH, 9, 'OK\0'],
      [XsType.WATCH_EVENT, 0, '/w\0tok\0'],
    ]);
  });

  it('fires on the path and below, not on siblings or parents', () => {
    const d = daemon();
    const c = new MemClient(d, 0);
    c.call(XsType.WATCH, '/w', 't');
    c.events();
    c.write('/w/a/b', '1');
    c.write('/w', '2');
    c.write('/wx', '3');
    c.write('/other', '4');
    expect(c.events()).toEqual([
      ['/w/a/b', 't'],
      ['/w', 't'],
    ]);
  });

  it('reports the watched path when a parent of it is removed', () => {
    const d = daemon();
    const c = new MemClient(d, 0);
    c.write('/p/q/r', '1');
    c.call(XsType.WATCH, '/p/q/r', 'deep');
    c.call(XsType.WATCH, '/p', 'top');
    c.events();
    c.call(XsType.RM, '/p/q');
    expect(c.events().sort()).toEqual([
      ['/p/q', 'top'],
      ['/p/q/r', 'deep'],
    ]);
  });

  it('delivers to every connection watching, and stops after UNWATCH', () => {
    const d = daemon();
    const a = new MemClient(d, 0);
    const b = new MemClient(d, 0);
    a.call(XsType.WATCH, '/x', 'A');
    b.call(XsType.WATCH, '/x', 'B');
    a.events();
    b.events();
    a.write('/x', 'v');
    expect(a.events()).toEqual([['/x', 'A']]);
    expect(b.events()).toEqual([['/x', 'B']]);
    expect(b.call(XsType.UNWATCH, '/x', 'B')).toBe('OK\0');
    expect(b.call(XsType.UNWATCH, '/x', 'B')).toBe('ERR:ENOENT');
    a.write('/x', 'w');
    expect(b.events()).toEqual([]);
    expect(a.events()).toEqual([['/x', 'A']]);
  });

  it('refuses a duplicate path+token (EEXIST)', () => {
    const d = daemon();
    const c = new MemClient(d, 0);
    expect(c.call(XsType.WATCH, '/x', 't')).toBe('OK\0');
    expect(c.call(XsType.WATCH, '/x', 't')).toBe('ERR:EEXIST');
  });

  it('refuses a depth and anything but exactly <path> <token>, as 4.17 do_watch() does', () => {
    // get_strings(in, vec, 2) != 2 is EINVAL: a third string (xenstore.txt's <depth>, from a
    // later xenstored), a missing token, or a token without its NUL
    const c = new MemClient(daemon(), 0);
    expect(c.call(XsType.WATCH, '/d', 'depth', '1')).toBe('ERR:EINVAL');
    expect(c.call(XsType.WATCH, '/d', 'depth', '')).toBe('ERR:EINVAL');
    expect(c.call(XsType.WATCH, '/d')).toBe('ERR:EINVAL');
    expect(text(c.req(XsType.WATCH, '/d\0tok'))).toBe('ERR:EINVAL');
    expect(c.events()).toEqual([]);
    c.write('/d/a', '');
    expect(c.events()).toEqual([]);
    expect(text(c.req(XsType.WATCH, '/d\0tok\0'))).toBe('OK\0');
    c.write('/d/a/b', '');
    expect(c.events()).toEqual([['/d', 'tok'], ['/d/a/b', 'tok']]);
  });

  it('fires transaction changes only on a successful commit', () => {
    const d = daemon();
    const c = new MemClient(d, 0);
    c.call(XsType.WATCH, '/t', 'tok');
    c.events();
    const tx = Number.parseInt(c.call(XsType.TRANSACTION_START, ''), 10);
    c.write('/t/a', '1', tx);
    expect(c.events()).toEqual([]);
    expect(c.callTx(tx, XsType.TRANSACTION_END, 'T')).toBe('OK\0');
    expect(c.events()).toEqual([['/t/a', 'tok']]);
    const tx2 = Number.parseInt(c.call(XsType.TRANSACTION_START, ''), 10);
    c.write('/t/b', '1', tx2);
    c.callTx(tx2, XsType.TRANSACTION_END, 'F');
    expect(c.events()).toEqual([]);
  });

  it('gives relative event paths to a relative watch of a domain', () => {
    const d = daemon();
    const dom0 = new MemClient(d, 0);
    dom0.call(XsType.INTRODUCE, '3', '123', '4');
    dom0.write('/local/domain/3', '');
    dom0.call(XsType.SET_PERMS, '/local/domain/3', 'n3');
    const g = new MemClient(d, 3);
    expect(g.call(XsType.WATCH, 'device', 'rel')).toBe('OK\0');
    expect(g.events()).toEqual([['device', 'rel']]);
    dom0.write('/local/domain/3/device/vif/0', 'x');
    expect(g.events()).toEqual([['device/vif/0', 'rel']]);
  });

  it('does not tell a domain about nodes it cannot read', () => {
    const d = daemon();
    const dom0 = new MemClient(d, 0);
    dom0.call(XsType.INTRODUCE, '3', '1', '1');
    const g = new MemClient(d, 3);
    g.call(XsType.WATCH, '/', 'all');
    g.events();
    dom0.write('/private', 'x');
    expect(g.events()).toEqual([]);
    dom0.write('/public', 'x');
    dom0.call(XsType.SET_PERMS, '/public', 'r0');
    expect(g.events()).toEqual([['/public', 'all']]);
  });

  it('fires @introduceDomain and @releaseDomain, matched exactly as 4.17 fire_watches() does', () => {
    const d = daemon();
    const c = new MemClient(d, 0);
    c.call(XsType.WATCH, '@introduceDomain', 'intro');
    c.call(XsType.WATCH, '@releaseDomain', 'rel');
    // accepted (check_watch_path() takes any @ path), fired once, then never
    expect(c.call(XsType.WATCH, '@releaseDomain/7', 'rel7')).toBe('OK\0');
    expect(c.events().length).toBe(3);
    expect(c.call(XsType.INTRODUCE, '7', '-5', '3')).toBe('OK\0');
    c.call(XsType.INTRODUCE, '8', '1', '3');
    expect(c.events()).toEqual([
      ['@introduceDomain', 'intro'],
      ['@introduceDomain', 'intro'],
    ]);
    expect(c.call(XsType.IS_DOMAIN_INTRODUCED, '7')).toBe('T\0');
    c.call(XsType.RELEASE, '8');
    expect(c.events()).toEqual([['@releaseDomain', 'rel']]);
    c.call(XsType.RELEASE, '7');
    expect(c.events()).toEqual([['@releaseDomain', 'rel']]);
    expect(c.call(XsType.IS_DOMAIN_INTRODUCED, '7')).toBe('F\0');
    expect(c.call(XsType.RELEASE, '7')).toBe('ERR:ENOENT');
  });

  it('sends special watches to a domain only if granted on the special path', () => {
    const d = daemon();
    const dom0 = new MemClient(d, 0);
    dom0.call(XsType.INTRODUCE, '2', '1', '1');
    const g = new MemClient(d, 2);
    g.call(XsType.WATCH, '@introduceDomain', 'i');
    g.events();
    dom0.call(XsType.INTRODUCE, '4', '1', '1');
    expect(g.events()).toEqual([]);
    expect(dom0.call(XsType.SET_PERMS, '@introduceDomain', 'n0', 'r2')).toBe('OK\0');
    expect(dom0.call(XsType.GET_PERMS, '@introduceDomain')).toBe('n0\0r2\0');
    dom0.call(XsType.INTRODUCE, '5', '1', '1');
    expect(g.events()).toEqual([['@introduceDomain', 'i']]);
  });

  it('limits watches per unprivileged connection (E2BIG) as 4.17 counts them: one past the quota may be set', () => {
    const d = daemon({ quota: { watches: 2 } });
    const dom0 = new MemClient(d, 0);
    dom0.call(XsType.INTRODUCE, '2', '1', '1');
    const g = new MemClient(d, 2);
    for (const t of ['1', '2', '3']) expect(g.call(XsType.WATCH, '/a', t)).toBe('OK\0');
    expect(g.call(XsType.WATCH, '/a', '4')).toBe('ERR:E2BIG');
    for (let i = 0; i < 5; i++) expect(dom0.call(XsType.WATCH, '/a', `${i}`)).toBe('OK\0');
  });
});
