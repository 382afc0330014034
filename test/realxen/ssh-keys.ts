// The two SSH key pairs of a real-Xen image: dom0's host key (baked into the image, so
// its fingerprint is known before boot and trust-on-first-use can be checked) and the
// client key the harness logs in with (its public half is root's authorized_keys).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './run';

export interface SshKeys {
  hostKey: string;
  hostKeyPub: string;
  clientKey: string;
  clientKeyPub: string;
  /** "SHA256:..." as ssh-keygen -l prints it. */
  hostFingerprint: string;
}

function keypair(path: string, comment: string): void {
  if (existsSync(path) && existsSync(`${path}.pub`)) return;
  run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
}

/** Creates the key pairs in dir unless they are there already. */
export function ensureSshKeys(dir: string): SshKeys {
  mkdirSync(dir, { recursive: true });
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const clientKey = join(dir, 'id_ed25519');
  keypair(hostKey, 'root@xenhost');
  keypair(clientKey, 'xendeck-realxen-harness');
  const fp = run(['ssh-keygen', '-l', '-E', 'sha256', '-f', `${hostKey}.pub`]).stdout.split(' ')[1] ?? '';
  return {
    hostKey,
    hostKeyPub: readFileSync(`${hostKey}.pub`, 'utf8').trim(),
    clientKey,
    clientKeyPub: readFileSync(`${clientKey}.pub`, 'utf8').trim(),
    hostFingerprint: fp,
  };
}
