import { describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA } from '../../../engine/xenstore/quota';
import { FrameDecoder, XsType, encode, joinStrings } from '../../../engine/xenstore/wire';
import type { XsMessage } from '../../../engine/xenstore/wire';
import { MemClient, daemon } from './helpers';

/** A connection whose client takes its bytes only when told (a guest not reading its ring). */
function slowClient(domid: number, d = daemon()): { d: typeof d; send(n: number): void; got: XsMessage[]; take(): void } {
  const decoder = new FrameDecoder();
  const got: XsMessage[] = [];
  let waiting: (() => void)[] = [];
  const conn = d.connect(domid, {
    write: (b, consumed) => {
      got.push(...decoder.push(b));
      waiting.push(consumed);
    },
    close: () => {},
  });
  return {
    d,
    got,
    send(n) {
      const reqs = Array.from({ length: n }, (_, i) => encode(XsType.READ, i + 1, 0, joinStrings(['name'])));
      conn.receive(Buffer.concat(reqs));
    },
    take() {
      const w = waiting;
      waiting = [];
      for (const f of w) f();
    },
  };
}

describe('quota-outstanding (C xenstored: 20 requests a domain has not taken the replies of)', () => {
  it("stops reading a domain's requests at 20 until it takes its replies, then goes on in order", async () => {
    expect(DEFAULT_QUOTA.outstanding).toBe(20);
    const d = daemon();
    new MemClient(d, 0).write('/local/domain/5/name', 'g');
    new MemClient(d, 0).call(XsType.SET_PERMS, '/local/domain/5/name', 'n0', 'r5');
    const g = slowClient(5, d);
    g.send(25);
    expect(g.got.map((m) => m.reqId)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(g.got.every((m) => m.type === XsType.READ && m.payload.toString() === 'g')).toBe(true);
    g.take();
    await new Promise((r) => setTimeout(r, 0));
    expect(g.got.map((m) => m.reqId)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('does not hold back dom0', () => {
    const g = slowClient(0);
    g.send(50);
    expect(g.got).toHaveLength(50);
  });
});

describe('quota-memory (Xen 4.17: bytes of the nodes a domain owns, 2.5 MB by default)', () => {
  it('refuses a domain growing past it with ENOMEM, leaves dom0 alone, and frees what is removed', () => {
    expect(DEFAULT_QUOTA.memory).toBe(2.5 * 1024 * 1024);
    const d = daemon({ quota: { memory: 600 } });
    const dom0 = new MemClient(d, 0);
    dom0.write('/local/domain/7', '');
    dom0.call(XsType.SET_PERMS, '/local/domain/7', 'n7');
    const g = new MemClient(d, 7);
    expect(g.write('data/a', 'x'.repeat(200))).toBe('OK\0');
    expect(g.write('data/b', 'x'.repeat(200))).toBe('OK\0');
    expect(g.write('data/c', 'x'.repeat(200))).toBe('ERR:ENOMEM');
    expect(g.read('data/c')).toBe('ERR:ENOENT');
    // growing an existing value counts too; shrinking always works
    expect(g.write('data/a', 'x'.repeat(400))).toBe('ERR:ENOMEM');
    expect(g.write('data/a', 'x')).toBe('OK\0');
    expect(g.write('data/c', 'x'.repeat(150))).toBe('OK\0');
    expect(g.call(XsType.RM, 'data')).toBe('OK\0');
    expect(g.write('data/d', 'x'.repeat(300))).toBe('OK\0');
    expect(dom0.write('/local/domain/7/big', 'x'.repeat(2000))).toBe('OK\0');
  });

  it('counts a transaction against it before the commit', () => {
    const d = daemon({ quota: { memory: 600 } });
    const dom0 = new MemClient(d, 0);
    dom0.write('/local/domain/7', '');
    dom0.call(XsType.SET_PERMS, '/local/domain/7', 'n7');
    const g = new MemClient(d, 7);
    const tx = Number(g.call(XsType.TRANSACTION_START, '').replace(/\0$/, ''));
    expect(g.callTx(tx, XsType.WRITE, 'data/a', 'x'.repeat(300))).toBe('OK\0');
    expect(g.callTx(tx, XsType.WRITE, 'data/b', 'x'.repeat(300))).toBe('ERR:ENOMEM');
  });
});
