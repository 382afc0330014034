import { describe, expect, it } from 'vitest';
import { Store } from '../../../engine/xenstore/store';
import * as ops from '../../../engine/xenstore/ops';
import type { Caller } from '../../../engine/xenstore/ops';
import { DEFAULT_QUOTA } from '../../../engine/xenstore/quota';
import { parsePerms } from '../../../engine/xenstore/perms';

const dom0: Caller = { domid: 0, privileged: true, quota: DEFAULT_QUOTA };
const dom5: Caller = { domid: 5, privileged: false, quota: DEFAULT_QUOTA };
const b = (s: string): Buffer => Buffer.from(s);

function storeWithDomain(domid: number): Store {
  const s = new Store();
  ops.mkdir(s, dom0, `/local/domain/${domid}`);
  ops.setPerms(s, dom0, `/local/domain/${domid}`, parsePerms([`n${domid}`]));
  return s;
}

describe('xenstore store and operations', () => {
  it('starts with the root only, owned by dom0', () => {
    const s = new Store();
    expect(ops.directory(s, dom0, '/')).toEqual([]);
    expect(ops.getPerms(s, dom0, '/')).toEqual([{ id: 0, perm: 'n' }]);
  });

  it('WRITE creates missing parents with empty values; READ returns the bytes', () => {
    const s = new Store();
    ops.write(s, dom0, '/a/b/c', b('v'));
    expect(ops.read(s, dom0, '/a/b/c').toString()).toBe('v');
    expect(ops.read(s, dom0, '/a/b').length).toBe(0);
    expect(ops.directory(s, dom0, '/a')).toEqual(['b']);
  });

  it('lists children in creation order', () => {
    const s = new Store();
    for (const n of ['z', 'a', 'm']) ops.write(s, dom0, `/d/${n}`, b(''));
    expect(ops.directory(s, dom0, '/d')).toEqual(['z', 'a', 'm']);
  });

  it('MKDIR leaves an existing value alone', () => {
    const s = new Store();
    ops.write(s, dom0, '/a', b('keep'));
    expect(ops.mkdir(s, dom0, '/a')).toBeNull();
    expect(ops.read(s, dom0, '/a').toString()).toBe('keep');
  });

  it('RM is recursive, fine on a missing node, ENOENT when the parent is missing too', () => {
    const s = new Store();
    ops.write(s, dom0, '/a/b/c', b('1'));
    ops.write(s, dom0, '/a/x', b('2'));
    const ch = ops.rm(s, dom0, '/a/b');
    expect(ch).toMatchObject({ path: '/a/b', recursive: true });
    expect(() => ops.read(s, dom0, '/a/b/c')).toThrow(/ENOENT/);
    expect(ops.directory(s, dom0, '/a')).toEqual(['x']);
    expect(ops.rm(s, dom0, '/a/b')).toBeNull();
    expect(() => ops.rm(s, dom0, '/nope/child')).toThrow(/ENOENT/);
    expect(() => ops.rm(s, dom0, '/')).toThrow(/EINVAL/);
    expect(s.size).toBe(3); // /, /a, /a/x
  });

  it('bumps the generation count of a node and of its parent on change', () => {
    const s = new Store();
    ops.write(s, dom0, '/a', b('1'));
    const g0 = s.get('/a')!.generation;
    const r0 = s.get('/')!.generation;
    ops.write(s, dom0, '/a', b('2'));
    expect(s.get('/a')!.generation).toBeGreaterThan(g0);
    expect(s.get('/')!.generation).toBe(r0);
    ops.write(s, dom0, '/b', b(''));
    expect(s.get('/')!.generation).toBeGreaterThan(r0);
  });

  it('denies an unprivileged domain what the permissions deny (EACCES), not ENOENT', () => {
    const s = storeWithDomain(5);
    ops.write(s, dom0, '/secret/x', b('1'));
    expect(() => ops.read(s, dom5, '/secret/x')).toThrow(/EACCES/);
    expect(() => ops.read(s, dom5, '/secret/missing')).toThrow(/EACCES/);
    expect(() => ops.write(s, dom5, '/secret/y', b('1'))).toThrow(/EACCES/);
    expect(() => ops.read(s, dom5, '/local/domain/5/missing')).toThrow(/ENOENT/);
  });

  it('makes an unprivileged creator the owner of what it creates, inheriting the rest', () => {
    const s = storeWithDomain(5);
    ops.setPerms(s, dom0, '/local/domain/5', parsePerms(['n0', 'b5', 'r7']));
    ops.write(s, dom5, '/local/domain/5/data/x', b('1'));
    expect(ops.getPerms(s, dom0, '/local/domain/5/data/x')).toEqual(parsePerms(['n5', 'b5', 'r7']));
    ops.write(s, dom0, '/local/domain/5/byzero', b('1'));
    expect(ops.getPerms(s, dom0, '/local/domain/5/byzero')).toEqual(parsePerms(['n0', 'b5', 'r7']));
  });

  it('lets only the owner change permissions, and only dom0 change the owner', () => {
    const s = storeWithDomain(5);
    ops.write(s, dom5, '/local/domain/5/x', b('1'));
    ops.setPerms(s, dom5, '/local/domain/5/x', parsePerms(['n5', 'r6']));
    expect(() => ops.setPerms(s, dom5, '/local/domain/5/x', parsePerms(['n6']))).toThrow(/EPERM/);
    ops.setPerms(s, dom0, '/local/domain/5/x', parsePerms(['b6', 'w5']));
    expect(() => ops.setPerms(s, dom5, '/local/domain/5/x', parsePerms(['b6']))).toThrow(/EACCES/);
  });

  it("enforces the node quota for unprivileged domains (ENOSPC), not dom0's", () => {
    const s = storeWithDomain(5);
    // /local/domain/5 itself is owned by dom5: one of its 4.
    const small: Caller = { ...dom5, quota: { ...DEFAULT_QUOTA, nodes: 4 } };
    ops.write(s, small, '/local/domain/5/a', b(''));
    ops.write(s, small, '/local/domain/5/b', b(''));
    ops.write(s, small, '/local/domain/5/c', b(''));
    expect(() => ops.write(s, small, '/local/domain/5/d', b(''))).toThrow(/ENOSPC/);
    ops.rm(s, small, '/local/domain/5/a');
    ops.write(s, small, '/local/domain/5/d', b(''));
    for (let i = 0; i < 10; i++) ops.write(s, dom0, `/local/domain/5/z${i}`, b(''));
  });

  it('enforces permissions per node (5) for unprivileged domains', () => {
    const s = storeWithDomain(5);
    ops.write(s, dom5, '/local/domain/5/p', b('x'));
    expect(() => ops.setPerms(s, dom5, '/local/domain/5/p', parsePerms(['n5', 'r1', 'r2', 'r3', 'r4', 'r6']))).toThrow(/ENOSPC/);
    ops.setPerms(s, dom5, '/local/domain/5/p', parsePerms(['n5', 'r1', 'r2', 'r3', 'r4']));
  });

  it("limits an unprivileged domain's whole node record to 2048 bytes, as 4.17 write_node_raw() does", () => {
    // record = 24-byte xs_tdb_record_hdr + 8 per permission + value + child names with NULs,
    // refused when >= quota_max_entry_size
    const s = storeWithDomain(5);
    expect(DEFAULT_QUOTA.nodeSize).toBe(2048);
    ops.write(s, dom5, '/local/domain/5/ok', Buffer.alloc(2015, 0x41)); // 24 + 8 + 2015 = 2047
    // the value (2016) is under 2048, the record (2048) is not
    expect(() => ops.write(s, dom5, '/local/domain/5/big', Buffer.alloc(2016, 0x41))).toThrow(/ENOSPC/);
    expect(s.get('/local/domain/5/big')).toBeUndefined();
    expect(() => ops.write(s, dom5, '/local/domain/5/ok', Buffer.alloc(2016, 0x41))).toThrow(/ENOSPC/);
    expect(ops.read(s, dom5, '/local/domain/5/ok').length).toBe(2015);
    // one more permission (8 bytes) takes the record past the limit
    expect(() => ops.setPerms(s, dom5, '/local/domain/5/ok', parsePerms(['n5', 'r1']))).toThrow(/ENOSPC/);
    expect(ops.getPerms(s, dom5, '/local/domain/5/ok')).toEqual(parsePerms(['n5']));
    // dom0 is not limited
    ops.write(s, dom0, '/local/domain/5/big', Buffer.alloc(4000, 0x41));
  });

  it("counts a parent's child names in its record: a domain cannot add one more child to a full directory", () => {
    const s = storeWithDomain(5);
    // /local/domain/5/dir (1 permission, no value): 24 + 8 = 32 bytes, then 15 children
    // named 'cNN' + 124 x's (128 bytes each with the NUL): 1952 in all
    const name = (i: number): string => `c${String(i).padStart(2, '0')}${'x'.repeat(124)}`;
    for (let i = 0; i < 15; i++) ops.write(s, dom5, `/local/domain/5/dir/${name(i)}`, b(''));
    // a 16th such child would make the parent's record 2080: ENOSPC, though its own value is empty
    expect(() => ops.write(s, dom5, `/local/domain/5/dir/${name(15)}`, b(''))).toThrow(/ENOSPC/);
    expect(s.get(`/local/domain/5/dir/${name(15)}`)).toBeUndefined();
    ops.mkdir(s, dom5, `/local/domain/5/dir/${'y'.repeat(92)}`); // 1952 + 93 = 2045
    expect(() => ops.mkdir(s, dom5, '/local/domain/5/dir/ab')).toThrow(/ENOSPC/); // 2045 + 3 = 2048
    ops.mkdir(s, dom5, '/local/domain/5/dir/a'); // 2045 + 2 = 2047
    expect(ops.directory(s, dom5, '/local/domain/5/dir').length).toBe(17);
    // RM rewrites the parent without the quota check (remove_child_entry); dom0 may add more
    ops.rm(s, dom5, '/local/domain/5/dir/a');
    ops.write(s, dom0, `/local/domain/5/dir/${name(15)}`, b(''));
    expect(ops.directory(s, dom5, '/local/domain/5/dir').length).toBe(17);
  });

  it('has the Xen default quotas', () => {
    expect(DEFAULT_QUOTA).toMatchObject({ nodes: 1000, watches: 128, transactions: 10, transactionNodes: 1024, nodePerms: 5, pathMax: 2048 });
  });
});
