/**
 * Node permissions (docs/misc/xenstore.txt GET_PERMS/SET_PERMS; wiki "XenBus"
 * Permissions; C xenstored perm_for_conn()). A permission string is a letter and a domid:
 * n (none), r (read), w (write), b (both). The first entry names the owner, who always
 * has full access, and its letter is what every domain not listed gets. Later entries
 * grant per-domain access. The privileged domain (dom0) bypasses every check; a domain
 * that is the target of another (SET_TARGET) is treated as that domain too.
 */
import { XsError } from './errors';

export type PermLetter = 'n' | 'r' | 'w' | 'b';

export interface Perm {
  readonly id: number;
  readonly perm: PermLetter;
}

export type Access = 'read' | 'write';

const LETTERS: ReadonlySet<string> = new Set(['n', 'r', 'w', 'b']);

/** Largest domid a permission may name (DOMID_MASK range, 16 bits). */
export const DOMID_MAX = 0xffff;

export function parsePerm(s: string): Perm {
  const letter = s.charAt(0);
  const digits = s.slice(1);
  if (!LETTERS.has(letter) || !/^[0-9]{1,5}$/.test(digits)) throw new XsError('EINVAL', `bad permission ${JSON.stringify(s)}`);
  const id = Number(digits);
  if (id > DOMID_MAX) throw new XsError('EINVAL', `bad permission ${JSON.stringify(s)}`);
  return { id, perm: letter as PermLetter };
}

/** Parses the permission strings of a SET_PERMS request; at least one (the owner). */
export function parsePerms(strings: readonly string[]): Perm[] {
  if (strings.length === 0) throw new XsError('EINVAL', 'no permissions');
  return strings.map(parsePerm);
}

export function formatPerm(p: Perm): string {
  return `${p.perm}${p.id}`;
}

export function ownerOf(perms: readonly Perm[]): number {
  return perms[0]?.id ?? 0;
}

function allows(letter: PermLetter, want: Access): boolean {
  return letter === 'b' || (want === 'read' ? letter === 'r' : letter === 'w');
}

/**
 * Whether `domid` (with its SET_TARGET target, if any) may `want` a node with `perms`.
 * Privileged callers are decided by the caller (they always may).
 */
export function permits(perms: readonly Perm[], domid: number, want: Access, target?: number): boolean {
  const owner = perms[0];
  if (owner === undefined) return false;
  const ids = target === undefined ? [domid] : [domid, target];
  if (ids.includes(owner.id)) return true;
  let found = false;
  for (const p of perms.slice(1)) {
    if (!ids.includes(p.id)) continue;
    found = true;
    if (allows(p.perm, want)) return true;
  }
  return found ? false : allows(owner.perm, want);
}

/** Whether `domid` owns the node (the owner entry, or via its target). */
export function isOwner(perms: readonly Perm[], domid: number, target?: number): boolean {
  const o = ownerOf(perms);
  return o === domid || (target !== undefined && o === target);
}
