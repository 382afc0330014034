/**
 * Conformance of `xl save` files with Xen's own stream checker: verify-stream-v2 and
 * its python modules (tools/python/xen/migration: xl.py, libxl.py, libxc.py) from
 * Debian's xen-utils-4.17, run over files our xl save wrote for a PV and an HVM guest.
 * The checker reads the xl header, libxl's stream and the libxc stream inside it record
 * by record (lengths, reserved fields, padding, page types, v3-only records) and must
 * accept them; a damaged copy must be refused, so we know it looked.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedHost } from '../../engine/toolstack/embedded-host';
import { xenUtil, xenUtilsPath } from './xen-utils-package';

const dir = mkdtempSync(join(tmpdir(), 'xendeck-verify-'));

function verify(file: string): { code: number | null; out: string } {
  const r = spawnSync('python3', [xenUtil('verify-stream-v2'), '-v', '-f', 'xl', '-i', file], {
    env: { ...process.env, PYTHONPATH: xenUtilsPath('lib/python') },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

async function savedFile(type: 'pv' | 'hvm', vcpus: number): Promise<string> {
  const h = new EmbeddedHost({ id: 'conf', preset: 'small-lab', seed: 3 });
  const { domid } = await h.createDomain({ configText: `name="v-${type}"\ntype="${type}"\nmemory=48\nvcpus=${vcpus}\n` });
  const fm = h.xen.hypercall({ op: 'privcmd.map_foreign', domid: domid! });
  for (const g of [0, 5, 1000, 3000, 12287]) fm.write(g, 17, new TextEncoder().encode(`page ${g} of a ${type} guest`));
  const file = join(dir, `${type}.save`);
  await h.save(domid!, file);
  return file;
}

describe("xl save files against Xen's verify-stream-v2 (xen-utils-4.17)", () => {
  for (const [type, vcpus] of [['pv', 3], ['hvm', 2]] as const) {
    it(`accepts a ${type.toUpperCase()} guest's save file`, async () => {
      const file = await savedFile(type, vcpus);
      const r = verify(file);
      expect(r.out).toContain('Processed xl header');
      expect(r.out).toContain('Libxl Header: little endian');
      expect(r.out).toContain('Libxc Image Header: Version 3, little endian');
      expect(r.out).toContain(`Domain Header: x86 ${type.toUpperCase()} from Xen 4.17`);
      expect(r.out).toContain('Libxc Record: x86 CPUID policy');
      expect(r.out).toContain('Libxc Record: Static data end');
      if (type === 'pv') {
        expect(r.out).toContain('64bit guest, 4 levels of pagetables');
        expect(r.out.match(/vcpu\d basic context, 5168 bytes/g)).toHaveLength(vcpus);
        expect(r.out).toContain('Libxc Record: Shared info, length 4096');
      } else {
        expect(r.out).toContain('Libxc Record: HVM context');
      }
      expect(r.out).toContain('Libxl Record: End');
      expect(r.code, r.out).toBe(0);
    });
  }

  it('refuses a damaged copy (reserved bits set in X86_PV_INFO), so it really read the stream', async () => {
    const bytes = Buffer.from(readFileSync(await savedFile('pv', 1)));
    // X86_PV_INFO is the first libxc record: 8-byte body, no padding; the CPUID policy
    // record after it has a 24·n body (8-aligned); corrupt a reserved byte of PV_INFO instead
    const at = bytes.indexOf(Buffer.from([2, 0, 0, 0, 8, 0, 0, 0, 8, 4]));
    expect(at).toBeGreaterThan(0);
    bytes[at + 8 + 4] = 1;
    const bad = join(dir, 'bad.save');
    writeFileSync(bad, bytes);
    const r = verify(bad);
    expect(r.out).toMatch(/Reserved bits set in X86_PV_INFO/);
    expect(r.code).toBe(1);
  });
});
