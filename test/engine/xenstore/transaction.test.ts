import { describe, expect, it } from 'vitest';
import { Store } from '../../../engine/xenstore/store';
import { Transaction } from '../../../engine/xenstore/transaction';
import * as ops from '../../../engine/xenstore/ops';
import type { Caller } from '../../../engine/xenstore/ops';
import { DEFAULT_QUOTA } from '../../../engine/xenstore/quota';

const dom0: Caller = { domid: 0, privileged: true, quota: DEFAULT_QUOTA };
const b = (s: string): Buffer => Buffer.from(s);

describe('xenstore transactions', () => {
  it('isolates changes until commit, then installs them', () => {
    const s = new Store();
    ops.write(s, dom0, '/a', b('1'));
    const t = new Transaction(1, s);
    t.events.push(ops.write(t, dom0, '/a', b('2')));
    t.events.push(ops.write(t, dom0, '/n/m', b('3')));
    expect(ops.read(t, dom0, '/a').toString()).toBe('2');
    expect(ops.read(s, dom0, '/a').toString()).toBe('1');
    expect(() => ops.read(s, dom0, '/n/m')).toThrow(/ENOENT/);
    const ev = t.commit();
    expect(ev.map((e) => e.path)).toEqual(['/a', '/n/m']);
    expect(ops.read(s, dom0, '/a').toString()).toBe('2');
    expect(ops.read(s, dom0, '/n/m').toString()).toBe('3');
    expect(ops.directory(s, dom0, '/')).toEqual(['a', 'n']);
  });

  it('fails with EAGAIN when a node it read changed meanwhile, applying nothing', () => {
    const s = new Store();
    ops.write(s, dom0, '/a', b('1'));
    const t = new Transaction(1, s);
    ops.read(t, dom0, '/a');
    ops.write(t, dom0, '/b', b('x'));
    ops.write(s, dom0, '/a', b('other'));
    expect(() => t.commit()).toThrow(/EAGAIN/);
    expect(() => ops.read(s, dom0, '/b')).toThrow(/ENOENT/);
  });

  it('keeps reading what it first saw, then fails with EAGAIN (test-xenstore "ta err")', () => {
    const s = new Store();
    ops.write(s, dom0, '/p/a', b('a'));
    const t = new Transaction(1, s);
    expect(ops.read(t, dom0, '/p/a').toString()).toBe('a');
    expect(ops.directory(t, dom0, '/p')).toEqual(['a']);
    ops.write(s, dom0, '/p/a', b('b'));
    ops.write(s, dom0, '/p/new', b('n'));
    expect(ops.read(t, dom0, '/p/a').toString()).toBe('a');
    expect(ops.directory(t, dom0, '/p')).toEqual(['a']);
    ops.write(t, dom0, '/p/a', b('c'));
    expect(ops.read(t, dom0, '/p/a').toString()).toBe('c');
    expect(() => t.commit()).toThrow(/EAGAIN/);
    expect(ops.read(s, dom0, '/p/a').toString()).toBe('b');
  });

  it('conflicts when a node it found missing was created meanwhile', () => {
    const s = new Store();
    const t = new Transaction(1, s);
    expect(() => ops.read(t, dom0, '/x')).toThrow(/ENOENT/);
    ops.write(s, dom0, '/x', b('1'));
    expect(() => t.commit()).toThrow(/EAGAIN/);
  });

  it('does not conflict on changes to nodes it never touched', () => {
    const s = new Store();
    ops.write(s, dom0, '/a/x', b('1'));
    ops.write(s, dom0, '/b/y', b('1'));
    const t = new Transaction(1, s);
    ops.write(t, dom0, '/a/x', b('2'));
    ops.write(s, dom0, '/b/y', b('2'));
    expect(() => t.commit()).not.toThrow();
    expect(ops.read(s, dom0, '/a/x').toString()).toBe('2');
  });

  it('the first of two conflicting transactions wins', () => {
    const s = new Store();
    ops.write(s, dom0, '/c', b('0'));
    const t1 = new Transaction(1, s);
    const t2 = new Transaction(2, s);
    for (const t of [t1, t2]) {
      const v = Number(ops.read(t, dom0, '/c').toString());
      ops.write(t, dom0, '/c', b(String(v + 1)));
    }
    t1.commit();
    expect(() => t2.commit()).toThrow(/EAGAIN/);
    expect(ops.read(s, dom0, '/c').toString()).toBe('1');
  });

  it('removes subtrees inside a transaction and keeps owner counts', () => {
    const s = new Store();
    ops.write(s, dom0, '/a/b/c', b('1'));
    const before = s.ownedBy(0);
    const t = new Transaction(1, s);
    ops.rm(t, dom0, '/a/b');
    expect(t.ownedBy(0)).toBe(before - 2);
    expect(ops.directory(t, dom0, '/a')).toEqual([]);
    t.commit();
    expect(s.ownedBy(0)).toBe(before - 2);
    expect(s.get('/a/b/c')).toBeUndefined();
  });

  it('limits the nodes one transaction touches (ENOSPC)', () => {
    const s = new Store();
    const t = new Transaction(1, s, 4);
    ops.write(t, dom0, '/a', b(''));
    ops.write(t, dom0, '/b', b(''));
    ops.write(t, dom0, '/c', b(''));
    expect(() => ops.write(t, dom0, '/d', b(''))).toThrow(/ENOSPC/);
  });
});
