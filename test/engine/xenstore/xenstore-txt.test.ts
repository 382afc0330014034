// Every message type of Xen 4.17's docs/misc/xenstore.txt against our connection, with
// the error cases 4.17's xenstored (tools/xenstore/xenstored_core.c process_message() and
// the do_* handlers) gives: one table row per type, so a missing type is seen at once.
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA } from '../../../engine/xenstore/quota';
import { XsType } from '../../../engine/xenstore/wire';
import { MemClient, daemon, text } from './helpers';

function setup(): { dom0: MemClient; g: MemClient } {
  const d = daemon();
  const dom0 = new MemClient(d, 0);
  dom0.call(XsType.INTRODUCE, '3', '1', '1');
  dom0.write('/local/domain/3', '');
  dom0.call(XsType.SET_PERMS, '/local/domain/3', 'n3');
  return { dom0, g: new MemClient(d, 3) };
}

describe("Xen 4.17's xenstore.txt, type by type", () => {
  it('READ / WRITE / MKDIR / RM: values, missing parents, ENOENT, EINVAL, EACCES', () => {
    const { dom0, g } = setup();
    expect(dom0.write('/a/b/c', 'v')).toBe('OK\0');
    expect(dom0.read('/a/b')).toBe(''); // WRITE creates missing parents, empty
    expect(dom0.call(XsType.MKDIR, '/a/b/c')).toBe('OK\0'); // exists: fine
    expect(dom0.read('/a/b/c')).toBe('v');
    expect(dom0.call(XsType.RM, '/a/b')).toBe('OK\0');
    expect(dom0.read('/a/b/c')).toBe('ERR:ENOENT');
    expect(dom0.call(XsType.RM, '/a/x/y')).toBe('ERR:ENOENT'); // parent missing too
    expect(dom0.call(XsType.RM, '/a/x')).toBe('OK\0'); // parent there: nothing to delete is success
    expect(dom0.read('no-slash-for-dom0')).toBe('ERR:ENOENT'); // relative: /local/domain/0/...
    expect(dom0.read('/a//b')).toBe('ERR:EINVAL');
    expect(g.read('/a')).toBe('ERR:EACCES');
    expect(g.write('data', 'x')).toBe('OK\0');
  });

  it('DIRECTORY / DIRECTORY_PART: children, generation, the final empty string', () => {
    const { dom0 } = setup();
    dom0.write('/d/x', '');
    dom0.write('/d/y', '');
    expect(dom0.call(XsType.DIRECTORY, '/d')).toBe('x\0y\0');
    const part = dom0.call(XsType.DIRECTORY_PART, '/d', '0');
    expect(part).toMatch(/^\d+\0x\0y\0\0$/);
    expect(dom0.call(XsType.DIRECTORY_PART, '/d')).toBe('ERR:EINVAL');
    expect(dom0.call(XsType.DIRECTORY, '/none')).toBe('ERR:ENOENT');
  });

  it('GET_PERMS / SET_PERMS: owner first, EINVAL on a bad entry, ENOSPC past quota-perms', () => {
    const { dom0, g } = setup();
    dom0.write('/p', '');
    expect(dom0.call(XsType.SET_PERMS, '/p', 'r0', 'b3')).toBe('OK\0');
    expect(dom0.call(XsType.GET_PERMS, '/p')).toBe('r0\0b3\0');
    expect(dom0.call(XsType.SET_PERMS, '/p', 'z0')).toBe('ERR:EINVAL');
    expect(g.write('q', '')).toBe('OK\0');
    expect(DEFAULT_QUOTA.nodePerms).toBe(5); // quota_nb_perms_per_node, owner included
    expect(g.call(XsType.SET_PERMS, 'q', 'n3', 'r1', 'r2', 'r4', 'r5')).toBe('OK\0');
    expect(g.call(XsType.SET_PERMS, 'q', 'n3', 'r1', 'r2', 'r4', 'r5', 'r6')).toBe('ERR:ENOSPC');
  });

  it('WATCH / UNWATCH / WATCH_EVENT / RESET_WATCHES: first event, EEXIST, ENOENT, tx_id ignored', () => {
    const { dom0 } = setup();
    expect(dom0.req(XsType.WATCH, '/w\0t\0', 12345).type).toBe(XsType.WATCH); // XS_FLAG_NOTID
    expect(dom0.events()).toEqual([['/w', 't']]);
    expect(dom0.call(XsType.WATCH, '/w', 't')).toBe('ERR:EEXIST');
    expect(dom0.call(XsType.WATCH, '/w')).toBe('ERR:EINVAL');
    dom0.write('/w/x', '1');
    expect(dom0.events()).toEqual([['/w/x', 't']]);
    expect(dom0.call(XsType.UNWATCH, '/w', 'other')).toBe('ERR:ENOENT');
    expect(dom0.call(XsType.UNWATCH, '/w', 't')).toBe('OK\0');
    dom0.call(XsType.WATCH, '/w', 'u');
    dom0.events();
    expect(dom0.call(XsType.RESET_WATCHES)).toBe('OK\0');
    dom0.write('/w/y', '1');
    expect(dom0.events()).toEqual([]);
  });

  it('TRANSACTION_START / _END: ids, EBUSY inside one, ENOENT for an unknown id, EINVAL without T/F, EAGAIN on conflict', () => {
    const { dom0 } = setup();
    const tx = Number(dom0.call(XsType.TRANSACTION_START).replace('\0', ''));
    expect(tx).toBeGreaterThan(0);
    expect(dom0.callTx(tx, XsType.TRANSACTION_START)).toBe('ERR:EBUSY');
    expect(dom0.callTx(tx + 1000, XsType.TRANSACTION_START)).toBe('ERR:ENOENT');
    expect(dom0.callTx(tx + 1000, XsType.READ, '/')).toBe('ERR:ENOENT');
    // process_message looks the transaction up for every type but WATCH/UNWATCH
    expect(dom0.callTx(tx + 1000, XsType.GET_DOMAIN_PATH, '1')).toBe('ERR:ENOENT');
    expect(dom0.callTx(tx, XsType.TRANSACTION_END, 'X')).toBe('ERR:EINVAL');
    expect(dom0.call(XsType.TRANSACTION_END, 'T')).toBe('ERR:ENOENT');
    dom0.write('/t', '0');
    expect(dom0.read('/t', tx)).toBe('0');
    dom0.write('/t', '1'); // outside: a conflicting commit
    expect(dom0.write('/t', '2', tx)).toBe('OK\0');
    expect(dom0.callTx(tx, XsType.TRANSACTION_END, 'T')).toBe('ERR:EAGAIN');
    expect(dom0.read('/t')).toBe('1');
  });

  it('INTRODUCE / RELEASE / RESUME / IS_DOMAIN_INTRODUCED / SET_TARGET / GET_DOMAIN_PATH: dom0 only, their EINVAL and ENOENT', () => {
    const { dom0, g } = setup();
    for (const [t, args] of [
      [XsType.INTRODUCE, ['4', '1', '1']],
      [XsType.RELEASE, ['3']],
      [XsType.RESUME, ['3']],
      [XsType.IS_DOMAIN_INTRODUCED, ['3']],
      [XsType.SET_TARGET, ['3', '0']],
      [XsType.CONTROL, ['check']],
    ] as const) {
      expect(g.call(t, ...args)).toBe('ERR:EACCES');
    }
    expect(g.call(XsType.GET_DOMAIN_PATH, '5')).toBe('/local/domain/5\0');
    expect(dom0.call(XsType.INTRODUCE, '4', '1')).toBe('ERR:EINVAL');
    expect(dom0.call(XsType.INTRODUCE, '4', '1', '0')).toBe('ERR:EINVAL'); // port <= 0
    expect(dom0.call(XsType.IS_DOMAIN_INTRODUCED, '4')).toBe('F\0');
    expect(dom0.call(XsType.IS_DOMAIN_INTRODUCED, String(0x7ff0))).toBe('T\0'); // DOMID_SELF
    expect(dom0.call(XsType.IS_DOMAIN_INTRODUCED, '0')).toBe('T\0');
    expect(dom0.call(XsType.SET_TARGET, '3', '9')).toBe('ERR:ENOENT');
    expect(dom0.call(XsType.SET_TARGET, '3', '0')).toBe('OK\0');
    expect(dom0.call(XsType.RESUME, '0')).toBe('ERR:EINVAL'); // onearg_domain: domain 0
    expect(dom0.call(XsType.RESUME, '9')).toBe('ERR:ENOENT');
    expect(dom0.call(XsType.RESUME, '3')).toBe('OK\0');
    expect(dom0.call(XsType.RELEASE, '0')).toBe('ERR:EINVAL');
    expect(dom0.call(XsType.RELEASE, '3')).toBe('OK\0');
    expect(dom0.call(XsType.RELEASE, '3')).toBe('ERR:ENOENT');
    expect(dom0.call(XsType.IS_DOMAIN_INTRODUCED, '3')).toBe('F\0');
  });

  it('CONTROL: check and help answer, an unknown command is EINVAL', () => {
    const { dom0 } = setup();
    expect(dom0.call(XsType.CONTROL, 'check')).toBe('OK\0');
    expect(dom0.call(XsType.CONTROL, 'help')).toContain('live-update');
    expect(dom0.call(XsType.CONTROL, 'nonsense')).toBe('ERR:EINVAL');
  });

  it('GET/SET_FEATURE and GET/SET_QUOTA (documented in 4.17, not in its xs_wire.h or xenstored): ENOSYS, for dom0 too', () => {
    const { dom0, g } = setup();
    for (const t of [XsType.GET_FEATURE, XsType.SET_FEATURE, XsType.GET_QUOTA, XsType.SET_QUOTA]) {
      expect(text(dom0.req(t, ''))).toBe('ERR:ENOSYS');
      expect(text(g.req(t, ''))).toBe('ERR:ENOSYS');
    }
  });

  it("keeps 4.17's quota defaults (xenstored_core.c quota_* variables)", () => {
    expect(DEFAULT_QUOTA).toEqual({
      nodes: 1000, // quota_nb_entry_per_domain
      watches: 128, // quota_nb_watch_per_domain
      outstanding: 20, // quota_req_outstanding
      memory: 2.5 * 1024 * 1024, // quota_memory_per_domain_hard
      transactions: 10, // quota_max_transaction
      transactionNodes: 1024, // quota_trans_nodes
      nodePerms: 5, // quota_nb_perms_per_node
      pathMax: 2048, // quota_max_path_len = XENSTORE_REL_PATH_MAX
      nodeSize: 2048, // quota_max_entry_size
    });
  });
});
