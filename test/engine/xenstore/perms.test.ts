import { describe, expect, it } from 'vitest';
import { formatPerm, isOwner, parsePerm, parsePerms, permits } from '../../../engine/xenstore/perms';

describe('xenstore permissions', () => {
  it('parses and formats n/r/w/b<domid>', () => {
    expect(parsePerms(['n0', 'r5', 'w7', 'b9'])).toEqual([
      { id: 0, perm: 'n' },
      { id: 5, perm: 'r' },
      { id: 7, perm: 'w' },
      { id: 9, perm: 'b' },
    ]);
    expect(formatPerm(parsePerm('r12'))).toBe('r12');
  });

  it('rejects bad letters, missing or huge domids, and an empty list', () => {
    for (const bad of ['x1', 'r', 'r-1', 'r70000', 'R1', '']) expect(() => parsePerm(bad)).toThrow(/EINVAL/);
    expect(() => parsePerms([])).toThrow(/EINVAL/);
  });

  it('gives the owner full access whatever the letter', () => {
    const p = parsePerms(['n5']);
    expect(permits(p, 5, 'read')).toBe(true);
    expect(permits(p, 5, 'write')).toBe(true);
    expect(isOwner(p, 5)).toBe(true);
  });

  it("uses the owner's letter for unlisted domains and entries for listed ones", () => {
    const p = parsePerms(['r0', 'w3', 'n4']);
    expect(permits(p, 7, 'read')).toBe(true);
    expect(permits(p, 7, 'write')).toBe(false);
    expect(permits(p, 3, 'write')).toBe(true);
    expect(permits(p, 3, 'read')).toBe(false);
    expect(permits(p, 4, 'read')).toBe(false);
  });

  it('lets a domain act for its SET_TARGET target', () => {
    const p = parsePerms(['n5']);
    expect(permits(p, 9, 'write')).toBe(false);
    expect(permits(p, 9, 'write', 5)).toBe(true);
  });
});
