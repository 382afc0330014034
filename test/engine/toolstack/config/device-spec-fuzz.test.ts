/**
 * Property: whatever a device spec says (random and mutated disk, vif, pci, usbctrl,
 * usbdev, vfb strings and cpus lists), reading the config either succeeds or fails with
 * a typed config error (ECONFIG) that names the file and the line of the list, never
 * anything else. And the disk scanner alone never throws.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDiskSpec } from '../../../../engine/toolstack/config/disk-spec';
import { parsePciSpec } from '../../../../engine/toolstack/config/pci-spec';
import { parseVifSpec } from '../../../../engine/toolstack/config/vif-spec';
import { parseDomainConfig } from '../../../../engine/toolstack/domain-build-info';
import { ToolstackError } from '../../../../engine/toolstack/toolstack-error';

const SEEDS: Record<string, string[]> = {
  disk: ['phy:/dev/vg/x,xvda,w', 'format=qcow2,vdev=xvdb,access=ro,target=/a,b', '/iso,,hdc,cdrom', ',hdc:cdrom,r', 'tap:aio:/x,xvdc', 'vdev=xvdd,backendtype=qdisk,script=s,discard,target=/t'],
  vif: ['mac=00:16:3e:01:02:03,bridge=xenbr0', 'rate=10Mb/s@20ms,model=e1000,type=ioemu', 'vifname=v,ip=1.2.3.4,mtu=1500,trusted,devid=3'],
  pci: ['0000:00:1b.0,permissive=1', '01:00.*@3', 'bdf=02:00.1,rdm_policy=relaxed', 'name=gpu'],
  usbctrl: ['type=pv,version=2,ports=4', 'type=devicemodel,version=3'],
  usbdev: ['type=hostdev,hostbus=1,hostaddr=2,controller=0,port=1'],
  vfb: ['vnc=1,vncdisplay=2,keymap=de,sdl=0'],
  cpus: ['0-3,^2', 'all', 'nodes:0', '1'],
};
const ALPHABET = ['', ',', '=', ':', '@', '*', '^', '-', ' ', '\t', 'x', 'vd', 'a', '0', '9', 'f', '/', 'target=', 'vdev=', 'format=', 'rate=', 'mac=', 'bdf=', 'type=', 'cdrom', '.', '"', "'", '\\'];

/** A seed with random cuts, insertions and repetitions. */
const mutated = (seeds: string[]): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...ALPHABET)), { maxLength: 6 }), fc.string({ maxLength: 12 }))
    .map(([s, edits, tail]) => {
      let t = s;
      for (const [at, len, ins] of edits) {
        const i = at % (t.length + 1);
        t = t.slice(0, i) + ins + t.slice(i + (len % 4));
      }
      return t + (tail.length % 3 === 0 ? tail : '');
    });

const quote = (s: string): string => `'${s.replace(/['\n\\]/g, '')}'`;

describe('device specs under random mutation', () => {
  it('the spec readers never throw', () => {
    fc.assert(
      fc.property(mutated([...SEEDS.disk!, ...SEEDS.vif!, ...SEEDS.pci!]), (s) => {
        parseDiskSpec(s);
        parseVifSpec(s, 0);
        parsePciSpec(s);
      }),
      { numRuns: 3000 },
    );
  });

  it('a config with mutated device lists is read or refused with a typed error naming file and line', () => {
    const key = fc.constantFrom(...Object.keys(SEEDS));
    fc.assert(
      fc.property(key, fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 2 ** 31 }), (k, picks, seed) => {
        const arb = mutated(SEEDS[k]!);
        const items = fc.sample(arb, { numRuns: picks.length, seed });
        const text = `name = "f"\ntype = "hvm"\nmemory = 64\nvcpus = 2\n${k} = [ ${items.map(quote).join(', ')} ]\n`;
        try {
          parseDomainConfig(text, 'fuzz.cfg');
        } catch (e) {
          expect(e).toBeInstanceOf(ToolstackError);
          const t = e as ToolstackError;
          expect(t.code, t.message).toBe('ECONFIG');
          expect(t.where?.file).toBe('fuzz.cfg');
          expect(t.where?.line).toBe(5);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
