import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameStore, isZero } from '../../../../engine/hypervisor/mm/frame-store';
import { XenError } from '../../../../engine/hypervisor/errno';

describe('FrameStore (sparse machine frame contents)', () => {
  it('reads zeros for frames never written and holds bytes only for written ones', () => {
    const f = new FrameStore();
    expect(f.read(123456789, 0, 16)).toEqual(new Uint8Array(16));
    expect(f.peek(5)).toBeUndefined();
    f.write(5, 4090, new Uint8Array([1, 2, 3, 4, 5, 6]));
    expect(f.framesHeld).toBe(1);
    expect(f.bytesHeld).toBe(4096);
    expect([...f.read(5, 4088, 8)]).toEqual([0, 0, 1, 2, 3, 4, 5, 6]);
    // zeros into a zero frame allocate nothing
    f.write(6, 0, new Uint8Array(4096));
    expect(f.framesHeld).toBe(1);
  });

  it('refuses spans outside the page', () => {
    const f = new FrameStore();
    expect(() => f.write(1, 4095, new Uint8Array(2))).toThrowError(XenError);
    expect(() => f.read(1, -1, 1)).toThrowError(/outside a 4096-byte page/);
  });

  it('scrub makes frames read as zeros again, whichever way it walks', () => {
    const f = new FrameStore();
    for (const m of [10, 11, 600, 1000]) f.write(m, 0, new Uint8Array([9]));
    f.scrub(10, 2); // walks the range
    expect(f.framesHeld).toBe(2);
    f.scrub(0, 2 ** 18); // walks the held frames
    expect(f.framesHeld).toBe(0);
    expect(f.read(600)[0]).toBe(0);
  });

  it('property: reads return the last bytes written, zeros elsewhere', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ mfn: fc.integer({ min: 0, max: 7 }), off: fc.integer({ min: 0, max: 4000 }), bytes: fc.uint8Array({ maxLength: 96 }) }), { maxLength: 40 }), (writes) => {
        const f = new FrameStore();
        const model = new Map<number, Uint8Array>();
        for (const w of writes) {
          f.write(w.mfn, w.off, w.bytes);
          const m = model.get(w.mfn) ?? new Uint8Array(4096);
          m.set(w.bytes, w.off);
          model.set(w.mfn, m);
        }
        for (let mfn = 0; mfn < 8; mfn++) expect(Buffer.from(f.read(mfn)).equals(model.get(mfn) ?? new Uint8Array(4096))).toBe(true);
        // only frames that ever held a non-zero byte cost memory
        expect(f.framesHeld).toBeLessThanOrEqual(model.size);
      }),
    );
  });

  it('isZero looks at every byte, aligned or not', () => {
    const b = new Uint8Array(4096);
    expect(isZero(b)).toBe(true);
    b[4095] = 1;
    expect(isZero(b)).toBe(false);
    expect(isZero(b.subarray(1, 4095))).toBe(true);
  });
});
