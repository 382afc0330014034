import { describe, expect, it } from 'vitest';
import { XsType, encode, splitStrings } from '../../../engine/xenstore/wire';
import { MemClient, daemon, text } from './helpers';

describe('xenstore connection (request handling)', () => {
  it('echoes type, req_id and tx_id; READ returns the raw value without NUL', () => {
    const c = new MemClient(daemon(), 0);
    c.write('/a', 'hello');
    c.conn.receive(encode(XsType.READ, 0xdeadbeef, 0, '/a\0'));
    const r = c.inbox.pop()!;
    expect(r).toMatchObject({ type: XsType.READ, reqId: 0xdeadbeef, txId: 0 });
    expect(r.payload.toString()).toBe('hello');
  });

  it('answers DIRECTORY, GET_PERMS and GET_DOMAIN_PATH in their wire formats', () => {
    const c = new MemClient(daemon(), 0);
    c.write('/d/x', '');
    c.write('/d/y', '');
    expect(c.call(XsType.DIRECTORY, '/d')).toBe('x\0y\0');
    expect(c.call(XsType.DIRECTORY, '/d/x')).toBe('');
    expect(c.call(XsType.SET_PERMS, '/d', 'n0', 'r5')).toBe('OK\0');
    expect(c.call(XsType.GET_PERMS, '/d')).toBe('n0\0r5\0');
    expect(c.call(XsType.GET_DOMAIN_PATH, '12')).toBe('/local/domain/12\0');
  });

  it("parses GET_DOMAIN_PATH's domid with atoi, as 4.17's do_get_domain_path() does", () => {
    const c = new MemClient(daemon(), 0);
    expect(c.call(XsType.GET_DOMAIN_PATH, 'x')).toBe('/local/domain/0\0');
    expect(c.call(XsType.GET_DOMAIN_PATH, '')).toBe('/local/domain/0\0');
    expect(c.call(XsType.GET_DOMAIN_PATH, ' 7abc')).toBe('/local/domain/7\0');
    expect(c.call(XsType.GET_DOMAIN_PATH, '+65536')).toBe('/local/domain/65536\0');
    expect(c.call(XsType.GET_DOMAIN_PATH, '-1')).toBe('/local/domain/4294967295\0');
    // strtol clamps to LONG_MAX, whose low 32 bits as an int are -1
    expect(c.call(XsType.GET_DOMAIN_PATH, '99999999999999999999')).toBe('/local/domain/4294967295\0');
    expect(c.call(XsType.GET_DOMAIN_PATH, '4294967298')).toBe('/local/domain/2\0');
    // onearg(): exactly one NUL-terminated string, or EINVAL
    expect(text(c.req(XsType.GET_DOMAIN_PATH, ''))).toBe('ERR:EINVAL');
    expect(text(c.req(XsType.GET_DOMAIN_PATH, '3'))).toBe('ERR:EINVAL');
    expect(text(c.req(XsType.GET_DOMAIN_PATH, '3\0\0'))).toBe('ERR:EINVAL');
    expect(text(c.req(XsType.GET_DOMAIN_PATH, '3\0x\0'))).toBe('ERR:EINVAL');
  });

  it('keeps binary values intact', () => {
    const c = new MemClient(daemon(), 0);
    const v = Buffer.from([0, 1, 2, 255, 0]);
    c.req(XsType.WRITE, Buffer.concat([Buffer.from('/bin\0'), v]));
    expect(c.req(XsType.READ, '/bin\0').payload.equals(v)).toBe(true);
  });

  it('returns error strings: ENOENT, EINVAL for bad paths and malformed requests', () => {
    const c = new MemClient(daemon(), 0);
    expect(c.read('/missing')).toBe('ERR:ENOENT');
    expect(c.read('/bad//path')).toBe('ERR:EINVAL');
    expect(c.read('/bad path')).toBe('ERR:EINVAL');
    expect(text(c.req(XsType.WRITE, '/nonul'))).toBe('ERR:EINVAL');
    expect(c.call(XsType.SET_PERMS, '/', 'q1')).toBe('ERR:EINVAL');
  });

  it('answers a type 4.17 has no handler for with ENOSYS and keeps serving (process_message)', () => {
    const c = new MemClient(daemon(), 0);
    expect(text(c.req(999, 'x\0'))).toBe('ERR:ENOSYS');
    expect(text(c.req(XsType.RESTRICT, '1\0'))).toBe('ERR:ENOSYS');
    expect(text(c.req(XsType.ERROR, ''))).toBe('ERR:ENOSYS');
    expect(text(c.req(XsType.WATCH_EVENT, '/a\0t\0'))).toBe('ERR:ENOSYS');
    // documented in 4.17's xenstore.txt, but without a number in its xs_wire.h or a handler
    for (const t of [XsType.GET_FEATURE, XsType.SET_FEATURE, XsType.GET_QUOTA, XsType.SET_QUOTA]) expect(text(c.req(t, '0\0'))).toBe('ERR:ENOSYS');
    expect(c.closed).toBe(false);
    expect(c.write('/still', 'ok')).toBe('OK\0');
  });

  it('closes the connection on an oversize payload length, leaving the others', () => {
    const d = daemon();
    const bad = new MemClient(d, 0);
    const good = new MemClient(d, 0);
    const h = Buffer.alloc(16);
    h.writeUInt32LE(XsType.WRITE, 0);
    h.writeUInt32LE(5000, 12);
    bad.conn.receive(h);
    expect(bad.closed).toBe(true);
    expect(d.connections.has(bad.conn)).toBe(false);
    expect(good.write('/x', '1')).toBe('OK\0');
  });

  it('handles requests split across chunks and several in one chunk', () => {
    const c = new MemClient(daemon(), 0);
    const two = Buffer.concat([encode(XsType.WRITE, 1, 0, '/k\0v'), encode(XsType.READ, 2, 0, '/k\0')]);
    for (let i = 0; i < two.length; i += 3) c.conn.receive(two.subarray(i, i + 3));
    expect(c.inbox.map((m) => [m.reqId, m.payload.toString()])).toEqual([
      [1, 'OK\0'],
      [2, 'v'],
    ]);
  });

  it('runs transactions: EBUSY when nested, ENOENT for unknown ids, EAGAIN on conflict', () => {
    const d = daemon();
    const a = new MemClient(d, 0);
    const b = new MemClient(d, 0);
    a.write('/n', '0');
    const tx = Number.parseInt(a.call(XsType.TRANSACTION_START, ''), 10);
    expect(tx).toBeGreaterThan(0);
    expect(a.callTx(tx, XsType.TRANSACTION_START, '')).toBe('ERR:EBUSY');
    expect(a.read('/n', 4242)).toBe('ERR:ENOENT');
    expect(a.read('/n', tx)).toBe('0');
    a.write('/n', '1', tx);
    expect(b.read('/n')).toBe('0');
    b.write('/n', '9');
    expect(a.callTx(tx, XsType.TRANSACTION_END, 'T')).toBe('ERR:EAGAIN');
    expect(b.read('/n')).toBe('9');
    expect(a.callTx(tx, XsType.TRANSACTION_END, 'T')).toBe('ERR:ENOENT');
    const tx2 = Number.parseInt(a.call(XsType.TRANSACTION_START, ''), 10);
    expect(b.read('/n', tx2)).toBe('ERR:ENOENT'); // transactions belong to their connection
    expect(a.callTx(tx2, XsType.TRANSACTION_END, 'X')).toBe('ERR:EINVAL');
    a.write('/n', '10', tx2);
    expect(a.callTx(tx2, XsType.TRANSACTION_END, 'T')).toBe('OK\0');
    expect(b.read('/n')).toBe('10');
  });

  it('limits transactions per unprivileged connection (ENOSPC) as 4.17 counts them: one past the quota may open', () => {
    const d = daemon({ quota: { transactions: 2 } });
    const dom0 = new MemClient(d, 0);
    dom0.call(XsType.INTRODUCE, '4', '1', '1');
    const g = new MemClient(d, 4);
    for (let i = 0; i < 3; i++) expect(g.call(XsType.TRANSACTION_START, '')).toMatch(/^\d+\0$/);
    expect(g.call(XsType.TRANSACTION_START, '')).toBe('ERR:ENOSPC');
    for (let i = 0; i < 5; i++) expect(dom0.call(XsType.TRANSACTION_START, '')).toMatch(/^\d+\0$/);
  });

  it('keeps domain-management requests for dom0 (EACCES) and resolves relative paths', () => {
    const d = daemon();
    const dom0 = new MemClient(d, 0);
    dom0.call(XsType.INTRODUCE, '6', '1', '1');
    dom0.write('/local/domain/6', '');
    dom0.call(XsType.SET_PERMS, '/local/domain/6', 'n6');
    const g = new MemClient(d, 6);
    expect(g.call(XsType.INTRODUCE, '9', '1', '1')).toBe('ERR:EACCES');
    expect(g.call(XsType.RELEASE, '6')).toBe('ERR:EACCES');
    expect(g.write('name', 'guest')).toBe('OK\0');
    expect(dom0.read('/local/domain/6/name')).toBe('guest');
    expect(g.read('/local/domain/6/name')).toBe('guest');
    expect(g.call(XsType.GET_PERMS, 'name')).toBe('n6\0');
    expect(g.read('/local/domain/0')).toBe('ERR:EACCES'); // /local/domain is n0
    dom0.write('/local/domain/0/name', 'Domain-0');
    expect(g.read('/local/domain/0/name')).toBe('ERR:EACCES');
  });

  it('SET_TARGET gives a domain (a device model) its target domain access', () => {
    const d = daemon();
    const dom0 = new MemClient(d, 0);
    dom0.call(XsType.INTRODUCE, '1', '1', '1');
    dom0.call(XsType.INTRODUCE, '2', '1', '1');
    dom0.write('/local/domain/1/x', 'v');
    dom0.call(XsType.SET_PERMS, '/local/domain/1/x', 'n1');
    const dm = new MemClient(d, 2);
    expect(dm.read('/local/domain/1/x')).toBe('ERR:EACCES');
    expect(dom0.call(XsType.SET_TARGET, '2', '1')).toBe('OK\0');
    expect(dm.read('/local/domain/1/x')).toBe('v');
    expect(dom0.call(XsType.SET_TARGET, '3', '1')).toBe('ERR:ENOENT');
  });

  it('RELEASE closes the connections of that domain', () => {
    const d = daemon();
    const dom0 = new MemClient(d, 0);
    dom0.call(XsType.INTRODUCE, '3', '1', '1');
    const g = new MemClient(d, 3);
    dom0.call(XsType.RELEASE, '3');
    expect(g.closed).toBe(true);
  });

  it('answers DIRECTORY with E2BIG past 4096 bytes and pages with DIRECTORY_PART', () => {
    const c = new MemClient(daemon(), 0);
    const names: string[] = [];
    for (let i = 0; i < 600; i++) {
      const n = `child-number-${i}`;
      names.push(n);
      c.write(`/big/${n}`, '');
    }
    expect(c.call(XsType.DIRECTORY, '/big')).toBe('ERR:E2BIG');
    const got: string[] = [];
    let off = 0;
    let gen: string | undefined;
    for (;;) {
      const r = c.req(XsType.DIRECTORY_PART, `/big\0${off}\0`);
      expect(r.type).toBe(XsType.DIRECTORY_PART);
      expect(r.payload.length).toBeLessThanOrEqual(4096);
      const parts = splitStrings(r.payload);
      gen ??= parts[0];
      expect(parts[0]).toBe(gen);
      const kids = parts.slice(1);
      const done = kids[kids.length - 1] === '';
      const real = done ? kids.slice(0, -1) : kids;
      got.push(...real);
      off += real.reduce((s, k) => s + k.length + 1, 0);
      if (done) break;
    }
    expect(got).toEqual(names);
    expect(c.call(XsType.DIRECTORY_PART, '/big', '999999')).toBe('ERR:EINVAL');
  });

  it('RESET_WATCHES drops the watches and transactions of the caller', () => {
    const c = new MemClient(daemon(), 0);
    c.call(XsType.WATCH, '/r', 't');
    const tx = Number.parseInt(c.call(XsType.TRANSACTION_START, ''), 10);
    c.events();
    expect(c.call(XsType.RESET_WATCHES)).toBe('OK\0');
    c.write('/r', 'x');
    expect(c.events()).toEqual([]);
    expect(c.callTx(tx, XsType.TRANSACTION_END, 'T')).toBe('ERR:ENOENT');
  });
});
