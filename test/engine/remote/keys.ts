// ed25519 key pairs for tests. ssh2 1.17's utils.generateKeyPairSync('ed25519') now and
// then (about 3 in 1000) encodes a public key whose first byte is 0 as 31 bytes, which
// its own parseKey then rejects ("Malformed OpenSSH public key"); such pairs are drawn
// again.
import { utils, type ParsedKey } from 'ssh2';

export interface TestKeyPair {
  private: string;
  public: string;
  parsedPublic: ParsedKey;
  /** The SSH wire blob of the public key. */
  blob: Buffer;
}

export function ed25519Pair(): TestKeyPair {
  for (;;) {
    const k = utils.generateKeyPairSync('ed25519');
    const pub = utils.parseKey(k.public);
    const priv = utils.parseKey(k.private);
    if (pub instanceof Error || priv instanceof Error) continue;
    return { private: k.private, public: k.public, parsedPublic: pub, blob: pub.getPublicSSH() };
  }
}
