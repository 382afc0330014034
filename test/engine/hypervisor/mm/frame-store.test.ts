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

  it('share: frames with the same bytes hold one copy, a write gives the writer its own (copy-on-write)', () => {
    const f = new FrameStore();
    const page = new Uint8Array(4096).fill(0xcc);
    for (const m of [1, 2, 3]) f.share(m, page);
    page[0] = 0; // the caller's array is copied, not kept
    expect(f.read(2)[0]).toBe(0xcc);
    expect(f.framesHeld).toBe(3);
    expect(f.sharedFrames).toBe(1);
    expect(f.savedFrames).toBe(2);
    expect(f.bytesHeld).toBe(4096);
    f.write(2, 10, new Uint8Array([7]));
    expect(f.read(2, 9, 3)).toEqual(new Uint8Array([0xcc, 7, 0xcc]));
    expect(f.read(1, 10, 1)[0]).toBe(0xcc);
    expect(f.read(3, 10, 1)[0]).toBe(0xcc);
    expect([f.sharedFrames, f.savedFrames, f.bytesHeld]).toEqual([1, 1, 2 * 4096]);
    // a different page is a second copy; the same bytes again find the first
    const other = new Uint8Array(4096).fill(1);
    f.share(4, other);
    f.share(5, new Uint8Array(4096).fill(0xcc));
    expect([f.sharedFrames, f.savedFrames]).toEqual([2, 2]);
    // scrubbing drops a frame's reference; the copy goes with its last frame
    f.scrub(1, 1);
    f.scrub(3, 3);
    expect([f.framesHeld, f.sharedFrames, f.savedFrames, f.bytesHeld]).toEqual([1, 0, 0, 4096]);
    expect(f.read(5)).toEqual(new Uint8Array(4096));
    expect(f.read(2, 10, 1)[0]).toBe(7);
  });

  it('share: a zero page holds nothing, sharing over a private frame replaces it, odd sizes are refused', () => {
    const f = new FrameStore();
    f.write(1, 0, new Uint8Array([5]));
    f.share(1, new Uint8Array(4096));
    expect(f.framesHeld).toBe(0);
    f.write(1, 0, new Uint8Array([5]));
    const page = new Uint8Array(4097).fill(9).subarray(1); // unaligned view
    f.share(1, page);
    f.share(2, page);
    expect(f.read(1)).toEqual(new Uint8Array(4096).fill(9));
    expect([f.framesHeld, f.sharedFrames, f.bytesHeld]).toEqual([2, 1, 4096]);
    f.share(1, page); // the same bytes again: nothing changes
    expect([f.framesHeld, f.sharedFrames, f.savedFrames]).toEqual([2, 1, 1]);
    expect(() => f.share(3, new Uint8Array(100))).toThrowError(/4096 bytes, not 100/);
  });

  it('share: a caller\'s buffer shared again after it changed is compared, not trusted', () => {
    const f = new FrameStore();
    const src = new Uint8Array(8192).fill(3);
    f.share(1, src.subarray(4096));
    f.share(2, src.subarray(4096)); // the same bytes at the same place: the same copy
    src[4096 + 100] = 4;
    f.share(3, src.subarray(4096));
    expect([f.read(1)[100], f.read(2)[100], f.read(3)[100]]).toEqual([3, 3, 4]);
    expect([f.sharedFrames, f.savedFrames]).toEqual([2, 1]);
  });

  it('property: shared and private writes read back as a plain byte model, copies never leak between frames', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('share' as const), mfn: fc.integer({ min: 0, max: 5 }), fill: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ kind: fc.constant('write' as const), mfn: fc.integer({ min: 0, max: 5 }), off: fc.integer({ min: 0, max: 4000 }), bytes: fc.uint8Array({ maxLength: 64 }) }),
      fc.record({ kind: fc.constant('scrub' as const), mfn: fc.integer({ min: 0, max: 5 }), count: fc.integer({ min: 1, max: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const f = new FrameStore();
        const model = new Map<number, Uint8Array>();
        for (const o of ops) {
          if (o.kind === 'share') {
            f.share(o.mfn, new Uint8Array(4096).fill(o.fill));
            model.set(o.mfn, new Uint8Array(4096).fill(o.fill));
          } else if (o.kind === 'write') {
            f.write(o.mfn, o.off, o.bytes);
            const m = model.get(o.mfn) ?? new Uint8Array(4096);
            m.set(o.bytes, o.off);
            model.set(o.mfn, m);
          } else {
            f.scrub(o.mfn, o.count);
            for (let m = o.mfn; m < o.mfn + o.count; m++) model.delete(m);
          }
        }
        for (let mfn = 0; mfn < 8; mfn++) expect(Buffer.from(f.read(mfn)).equals(model.get(mfn) ?? new Uint8Array(4096))).toBe(true);
        // at most one copy per distinct shared content (fills 1 and 2), never more bytes than frames
        expect(f.sharedFrames).toBeLessThanOrEqual(2);
        expect(f.bytesHeld).toBeLessThanOrEqual(f.framesHeld * 4096);
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
