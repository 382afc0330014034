import { describe, expect, it } from 'vitest';
import {
  XENSTORE_ABS_PATH_MAX,
  XENSTORE_REL_PATH_MAX,
  canonicalize,
  isChild,
  isValidAbsolute,
  parentOf,
} from '../../../engine/xenstore/path';
import { XsError } from '../../../engine/xenstore/errors';

describe('xenstore paths', () => {
  it('accepts alphanumerics and -/_@ only', () => {
    expect(isValidAbsolute('/local/domain/0/device-model_x')).toBe(true);
    expect(isValidAbsolute('/a b')).toBe(false);
    expect(isValidAbsolute('/a.b')).toBe(false);
    expect(isValidAbsolute('/a:b')).toBe(false);
  });

  it('rejects empty, doubled and trailing slashes but allows the root', () => {
    expect(isValidAbsolute('/')).toBe(true);
    expect(isValidAbsolute('')).toBe(false);
    expect(isValidAbsolute('/a//b')).toBe(false);
    expect(isValidAbsolute('/a/')).toBe(false);
  });

  it('limits absolute paths to 3072 bytes and relative ones to 2048', () => {
    const abs = `/${'a'.repeat(XENSTORE_ABS_PATH_MAX - 1)}`;
    expect(isValidAbsolute(abs)).toBe(true);
    expect(isValidAbsolute(`${abs}b`)).toBe(false);
    expect(() => canonicalize(3, 'x'.repeat(XENSTORE_REL_PATH_MAX))).not.toThrow();
    expect(() => canonicalize(3, 'x'.repeat(XENSTORE_REL_PATH_MAX + 1))).toThrow(XsError);
  });

  it('resolves relative paths under /local/domain/<domid>', () => {
    expect(canonicalize(3, 'x/y')).toBe('/local/domain/3/x/y');
    expect(canonicalize(0, '/abs')).toBe('/abs');
  });

  it('admits @special paths only where asked (watches)', () => {
    expect(() => canonicalize(0, '@releaseDomain')).toThrow(/EINVAL/);
    expect(canonicalize(0, '@releaseDomain', true)).toBe('@releaseDomain');
  });

  it('knows parents and children', () => {
    expect(parentOf('/a/b/c')).toBe('/a/b');
    expect(parentOf('/a')).toBe('/');
    expect(isChild('/a/b', '/a')).toBe(true);
    expect(isChild('/a', '/a')).toBe(true);
    expect(isChild('/ab', '/a')).toBe(false);
    expect(isChild('/anything', '/')).toBe(true);
  });
});
