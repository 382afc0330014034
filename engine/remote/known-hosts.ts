// Trust on first use for SSH host keys, in OpenSSH's known_hosts format (sshd(8),
// "SSH_KNOWN_HOSTS FILE FORMAT") so the file can be read and edited with the usual
// tools: "host keytype base64", "[host]:port" when the port is not 22, hashed host
// names "|1|salt|hmac" (HMAC-SHA1 of the name keyed with the salt) and the @revoked
// marker. Fingerprints are shown as OpenSSH shows them: "SHA256:" and the unpadded
// base64 of the SHA-256 of the key blob (ssh-keygen -l -E sha256).
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BadArgumentError } from './errors';

export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of an SSH public key blob (RFC 4253 6.6: string type, ...). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new BadArgumentError('host key blob too short');
  const len = keyBlob.readUInt32BE(0);
  if (len > keyBlob.length - 4 || len > 64) throw new BadArgumentError('host key blob has a bad type length');
  return keyBlob.toString('latin1', 4, 4 + len);
}

/** The host field OpenSSH writes for a host and port. */
export function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export type HostKeyStatus =
  | { status: 'trusted'; fingerprint: string }
  | { status: 'unknown'; fingerprint: string; keyType: string }
  | { status: 'changed'; fingerprint: string; keyType: string; pinned: string[] }
  | { status: 'revoked'; fingerprint: string };

interface Line {
  marker: string | undefined;
  hosts: string;
  keyType: string;
  key: Buffer;
}

export class KnownHostsFile {
  constructor(readonly path: string) {}

  /** Compares a presented key with the entries for host:port. */
  check(host: string, port: number, keyBlob: Buffer): HostKeyStatus {
    const fingerprint = fingerprintSha256(keyBlob);
    const keyType = keyTypeOf(keyBlob);
    const name = hostPattern(host, port);
    const mine = this.lines().filter((l) => matchesHost(l.hosts, name));
    if (mine.some((l) => l.marker === '@revoked' && l.key.equals(keyBlob))) return { status: 'revoked', fingerprint };
    const keys = mine.filter((l) => l.marker === undefined);
    if (keys.some((l) => l.key.equals(keyBlob))) return { status: 'trusted', fingerprint };
    // As OpenSSH: a pinned key of another type does not make this one "changed"
    // (hosts have several keys), but any pinned key of the same type that differs does.
    const sameType = keys.filter((l) => l.keyType === keyType);
    if (sameType.length > 0) return { status: 'changed', fingerprint, keyType, pinned: sameType.map((l) => fingerprintSha256(l.key)) };
    return { status: 'unknown', fingerprint, keyType };
  }

  /** Pins a key for host:port (appends a line; the file is replaced atomically). */
  pin(host: string, port: number, keyBlob: Buffer): void {
    if (/[\s,]/.test(host) || host === '') throw new BadArgumentError(`not a host name: ${JSON.stringify(host)}`);
    const line = `${hostPattern(host, port)} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`;
    const before = existsSync(this.path) ? readFileSync(this.path, 'utf8') : '';
    const sep = before === '' || before.endsWith('\n') ? '' : '\n';
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp-${process.pid}`;
    writeFileSync(tmp, `${before}${sep}${line}`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }

  private lines(): Line[] {
    if (!existsSync(this.path)) return [];
    const out: Line[] = [];
    for (const raw of readFileSync(this.path, 'utf8').split('\n')) {
      const t = raw.trim();
      if (t === '' || t.startsWith('#')) continue;
      const f = t.split(/\s+/);
      const marker = f[0]?.startsWith('@') ? f.shift() : undefined;
      const [hosts, keyType, b64] = f;
      if (hosts === undefined || keyType === undefined || b64 === undefined) continue;
      out.push({ marker, hosts, keyType, key: Buffer.from(b64, 'base64') });
    }
    return out;
  }
}

/** True when a known_hosts host field (comma list, hashed, or with ! negations) names the host. */
function matchesHost(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (salt === undefined || hash === undefined) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const pat of field.split(',')) {
    const negated = pat.startsWith('!');
    const p = negated ? pat.slice(1) : pat;
    if (globMatch(p, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** OpenSSH host patterns: * any run of characters, ? one character. */
function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}
