import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintSha256, hostPattern, keyTypeOf, KnownHostsFile } from '../../../engine/remote/known-hosts';
import { ed25519Pair } from './keys';

function blob(): Buffer {
  return ed25519Pair().blob;
}

function tempFile(content = ''): string {
  const p = join(mkdtempSync(join(tmpdir(), 'kh-')), 'known_hosts');
  writeFileSync(p, content);
  return p;
}

describe('known_hosts trust on first use', () => {
  it('prints fingerprints as ssh-keygen -l -E sha256 does', () => {
    // "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGU54Q9SVOsV456bM6XWEAzbTjlpnyC7HzaCSuz7hyMg" has, per ssh-keygen,
    // SHA256:PEoYbL/N3TcbNVYFken4d6K/2yxafUNI+Wv0asEA2RI
    const b = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIGU54Q9SVOsV456bM6XWEAzbTjlpnyC7HzaCSuz7hyMg', 'base64');
    expect(fingerprintSha256(b)).toBe('SHA256:PEoYbL/N3TcbNVYFken4d6K/2yxafUNI+Wv0asEA2RI');
    expect(keyTypeOf(b)).toBe('ssh-ed25519');
  });

  it('names non-standard ports as [host]:port', () => {
    expect(hostPattern('xen1', 22)).toBe('xen1');
    expect(hostPattern('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });

  it('an unknown host becomes trusted once pinned; the file keeps other lines', () => {
    const path = tempFile('# my hosts\nother ssh-ed25519 AAAA\n');
    const kh = new KnownHostsFile(path);
    const k = blob();
    expect(kh.check('xen1', 2222, k)).toMatchObject({ status: 'unknown', keyType: 'ssh-ed25519', fingerprint: fingerprintSha256(k) });
    kh.pin('xen1', 2222, k);
    expect(kh.check('xen1', 2222, k)).toEqual({ status: 'trusted', fingerprint: fingerprintSha256(k) });
    expect(kh.check('xen1', 22, k).status).toBe('unknown');
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('# my hosts\nother ssh-ed25519 AAAA\n')).toBe(true);
    expect(text).toContain(`[xen1]:2222 ssh-ed25519 ${k.toString('base64')}`);
  });

  it('a different key of the same type is "changed", listing the pinned fingerprints', () => {
    const path = tempFile();
    const kh = new KnownHostsFile(path);
    const old = blob();
    const neu = blob();
    kh.pin('xen1', 22, old);
    expect(kh.check('xen1', 22, neu)).toEqual({ status: 'changed', fingerprint: fingerprintSha256(neu), keyType: 'ssh-ed25519', pinned: [fingerprintSha256(old)] });
  });

  it('reads hashed host names, wildcards, negations and @revoked as OpenSSH does', () => {
    const k = blob();
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[10.0.0.5]:2200').digest('base64');
    const other = blob();
    const path = tempFile([
      `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${k.toString('base64')}`,
      `*.lab,!bad.lab ssh-ed25519 ${k.toString('base64')}`,
      `@revoked * ssh-ed25519 ${other.toString('base64')}`,
      '',
    ].join('\n'));
    const kh = new KnownHostsFile(path);
    expect(kh.check('10.0.0.5', 2200, k).status).toBe('trusted');
    expect(kh.check('xen7.lab', 22, k).status).toBe('trusted');
    expect(kh.check('bad.lab', 22, k).status).toBe('unknown');
    expect(kh.check('anything', 22, other).status).toBe('revoked');
  });

  it('refuses to pin for a bad host name', () => {
    const kh = new KnownHostsFile(tempFile());
    expect(() => kh.pin('a b', 22, blob())).toThrow(/not a host name/);
  });
});
