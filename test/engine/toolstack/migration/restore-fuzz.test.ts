/**
 * Property: whatever a save file has been damaged into (bytes changed, cut short, bytes
 * dropped), `xl restore` either restores a domain or fails with a ToolstackError — never
 * another exception — and after a failure the host is exactly as it was (domains, free
 * memory, the hypervisor's memory contents).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmbeddedHost } from '../../../../engine/toolstack/embedded-host';
import { ToolstackError } from '../../../../engine/toolstack/toolstack-error';

describe('restore of damaged save files', () => {
  for (const type of ['pv', 'hvm'] as const) {
    it(`${type.toUpperCase()}: succeeds or fails with a ToolstackError, and a failure changes nothing`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'xendeck-fuzz-'));
      const h = new EmbeddedHost({ id: 'fuzz', preset: 'small-lab', seed: 9 });
      const { domid } = await h.createDomain({ configText: `name="f"\ntype="${type}"\nmemory=8\nvcpus=2\n` });
      const fm = h.xen.hypercall({ op: 'privcmd.map_foreign', domid: domid! });
      for (const g of [0, 7, 2047]) fm.write(g, 0, Uint8Array.from({ length: 64 }, (_, i) => g + i + 1));
      const good = join(dir, 'good.save');
      await h.save(domid!, good);
      const bytes = new Uint8Array(readFileSync(good));
      const file = join(dir, 'bad.save');
      const snapshot = async (): Promise<string> =>
        JSON.stringify({ doms: (await h.listDomains()).map((d) => [d.domid, d.name, d.memoryMiB]), free: (await h.physinfo()).freePages, held: h.xen.frames.framesHeld });

      const damage = fc.oneof(
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat({ max: bytes.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ kind: fc.constant('cut' as const), at: fc.nat({ max: bytes.length - 1 }), value: fc.constant(0) }),
        fc.record({ kind: fc.constant('drop' as const), at: fc.nat({ max: bytes.length - 9 }), value: fc.integer({ min: 1, max: 8 }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 3 }), async (ds) => {
          let b = bytes.slice();
          for (const d of ds) {
            if (d.kind === 'flip') b[Math.min(d.at, b.length - 1)] = d.value;
            else if (d.kind === 'cut') b = b.slice(0, d.at);
            else b = Uint8Array.from([...b.subarray(0, d.at), ...b.subarray(d.at + d.value)]);
          }
          writeFileSync(file, b);
          const before = await snapshot();
          try {
            const r = await h.restore(file);
            await h.destroy(r.domid);
          } catch (e) {
            expect(e).toBeInstanceOf(ToolstackError);
            expect(await snapshot()).toBe(before);
          }
        }),
        { numRuns: 120 },
      );
    });
  }
});
