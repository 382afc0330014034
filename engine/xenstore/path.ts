/**
 * Xenstore path rules (docs/misc/xenstore.txt, XENSTORE_*_PATH_MAX in
 * xen/include/public/io/xs_wire.h): /-separated, absolute paths start with '/';
 * characters are ASCII alphanumerics and -/_@; no doubled or trailing slash (except the
 * root), not empty; an absolute path is at most 3072 bytes, a relative one at most 2048.
 * A relative path is taken under /local/domain/<domid> of the caller. Paths starting with
 * '@' name special watches (@introduceDomain, @releaseDomain) and are valid only there.
 */
import { XsError } from './errors';

export const XENSTORE_ABS_PATH_MAX = 3072;
export const XENSTORE_REL_PATH_MAX = 2048;

const VALID = /^[A-Za-z0-9\-/_@]*$/;

/** /local/domain/<domid>: the base of a domain's relative paths (GET_DOMAIN_PATH). */
export function domainPath(domid: number): string {
  return `/local/domain/${domid}`;
}

export function isSpecialPath(p: string): boolean {
  return p.startsWith('@');
}

/** The characters and slashes of an absolute path (or '@special' when allowed). */
export function isValidAbsolute(p: string, allowSpecial = false): boolean {
  if (p.length === 0 || p.length > XENSTORE_ABS_PATH_MAX || !VALID.test(p)) return false;
  if (p.startsWith('@')) return allowSpecial && !p.includes('//') && !p.endsWith('/');
  if (!p.startsWith('/')) return false;
  if (p === '/') return true;
  return !p.endsWith('/') && !p.includes('//');
}

/**
 * Resolves a path as sent by a connection of `domid` to an absolute path, or throws
 * EINVAL. `allowSpecial` admits '@...' (watch paths only).
 */
export function canonicalize(domid: number, p: string, allowSpecial = false): string {
  if (p.startsWith('/') || p.startsWith('@')) {
    if (!isValidAbsolute(p, allowSpecial)) throw new XsError('EINVAL', `bad path ${JSON.stringify(p.slice(0, 64))}`);
    return p;
  }
  if (p.length === 0 || p.length > XENSTORE_REL_PATH_MAX) throw new XsError('EINVAL', 'bad relative path');
  const abs = `${domainPath(domid)}/${p}`;
  if (!isValidAbsolute(abs)) throw new XsError('EINVAL', `bad path ${JSON.stringify(p.slice(0, 64))}`);
  return abs;
}

/** The parent of an absolute path ('/' for a top-level node and for '/'). */
export function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

export function join(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

/** xenstore.txt: <child> is a child of <parent> if equal, if parent is '/', or if parent + '/' prefixes it. */
export function isChild(child: string, parent: string): boolean {
  if (child === parent || parent === '/') return child === parent || child.startsWith('/');
  return child.startsWith(parent) && child.charCodeAt(parent.length) === 47; // '/'
}
