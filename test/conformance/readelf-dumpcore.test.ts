/**
 * `xl dump-core` files against binutils' readelf: the ELF header, the section table and
 * the bytes of .note.Xen as readelf decodes them, with nothing on its stderr (readelf
 * warns about any offset, size or string-table index that does not add up). readelf -n
 * only lists the notes of a core file's PT_NOTE segments, and a xen dump-core file has
 * no program headers (dump-core-format.txt), so the notes are checked as the hex dump of
 * their section: namesz 4, descsz, type 0x2000000-3, "Xen". Skipped where readelf is absent.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedHost } from '../../engine/toolstack/embedded-host';

const haveReadelf = spawnSync('readelf', ['--version']).status === 0;

function readelf(...args: string[]): { out: string; err: string; code: number | null } {
  const r = spawnSync('readelf', args, { encoding: 'utf8' });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

async function coreOf(type: 'pv' | 'hvm'): Promise<string> {
  const h = new EmbeddedHost({ id: 'conf', seed: 3 });
  const { domid } = await h.createDomain({ configText: `name="c-${type}"\ntype="${type}"\nmemory=32\nvcpus=2\n`, paused: true });
  h.xen.hypercall({ op: 'privcmd.map_foreign', domid: domid! }).write(7, 0, new TextEncoder().encode('seven'));
  const file = join(mkdtempSync(join(tmpdir(), 'xendeck-readelf-')), `c-${type}`);
  await h.coreDump(domid!, file);
  return file;
}

describe.skipIf(!haveReadelf)('xen dump-core files against readelf (binutils)', () => {
  for (const type of ['pv', 'hvm'] as const) {
    it(`reads a ${type.toUpperCase()} guest's core: ELF64 CORE, x86-64, the Xen sections, no warnings`, async () => {
      const file = await coreOf(type);
      const a = readelf('-a', '-W', file);
      expect(a.err).toBe('');
      expect(a.code).toBe(0);
      expect(a.out).toMatch(/Class:\s+ELF64/);
      expect(a.out).toMatch(/Type:\s+CORE \(Core file\)/);
      expect(a.out).toMatch(/Machine:\s+Advanced Micro Devices X86-64/);
      expect(a.out).toMatch(/Number of program headers:\s+0/);
      const names = [...a.out.matchAll(/^\s+\[\s*\d+\]\s+(\S+)\s+(NOTE|PROGBITS|STRTAB)/gm)].map((m) => `${m[1]} ${m[2]}`);
      expect(names).toEqual(
        type === 'pv'
          ? ['.shstrtab STRTAB', '.note.Xen NOTE', '.xen_prstatus PROGBITS', '.xen_shared_info PROGBITS', '.xen_pages PROGBITS', '.xen_p2m PROGBITS']
          : ['.shstrtab STRTAB', '.note.Xen NOTE', '.xen_prstatus PROGBITS', '.xen_pages PROGBITS', '.xen_pfn PROGBITS'],
      );
      const notes = readelf('-x', '.note.Xen', file);
      expect(notes.err).toBe('');
      // the four note headers: none (descsz 0), header (32), xen_version (1280), format_version (8)
      const hex = [...notes.out.matchAll(/^\s+0x[0-9a-f]{8} ((?:[0-9a-f]{2,8} ){1,4})/gm)].map((m) => m[1]!.replace(/ /g, '')).join('');
      expect(hex.slice(0, 32)).toBe('04000000000000000000000258656e00');
      expect(hex.slice(32, 64)).toBe('040000002000000001000002' + '58656e00');
      expect(hex).toContain('04000000000500000200000258656e00');
      expect(hex.endsWith('040000000800000003000002' + '58656e00' + '0100000000000000')).toBe(true);
      const pages = readelf('-x', '.xen_pages', file);
      expect(pages.out).toMatch(/0x00007000 73657665 6e/);
    });
  }
});
