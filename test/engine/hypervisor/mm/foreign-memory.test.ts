import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Xen } from '../../../../engine/hypervisor/xen';
import { bitmapPfns } from '../../../../engine/hypervisor/mm/log-dirty';

function host(): Xen {
  return Xen.boot({ seed: 1, topology: { sockets: 1, coresPerSocket: 2, threadsPerCore: 1, memoryMiB: 4096, x2apic: false } });
}

function guest(xen: Xen, pages: number): number {
  const { domid } = xen.hypercall({ op: 'domctl.createdomain', type: 'pv', maxVcpus: 1 });
  xen.hypercall({ op: 'memory_op.populate_physmap', domid, pages });
  return domid;
}

describe('foreign mapping of guest frames (privcmd.map_foreign)', () => {
  it('reads and writes guest frames by gfn through the p2m, zeros where never written', () => {
    const xen = host();
    const domid = guest(xen, 1024);
    const fm = xen.hypercall({ op: 'privcmd.map_foreign', domid });
    expect(fm.read(7)).toEqual(new Uint8Array(4096));
    fm.writePhys(7 * 4096 + 4094, new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    expect([...fm.read(7, 4094, 2)]).toEqual([0xde, 0xad]);
    expect([...fm.read(8, 0, 2)]).toEqual([0xbe, 0xef]);
    expect([...fm.readPhys(7 * 4096 + 4094, 4)]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(xen.frames.framesHeld).toBe(2);
  });

  it('sharePhys: whole pages backed by one copy across domains, a write in one is private to it (copy-on-write)', () => {
    const xen = host();
    const [a, b] = [guest(xen, 64), guest(xen, 64)];
    const fa = xen.hypercall({ op: 'privcmd.map_foreign', domid: a });
    const fb = xen.hypercall({ op: 'privcmd.map_foreign', domid: b });
    const image = new Uint8Array(3 * 4096).fill(0x90);
    image.set([1, 2, 3], 4096);
    image.set([4], 2 * 4096);
    fa.sharePhys(16 * 4096, image);
    fb.sharePhys(16 * 4096, image);
    expect(Buffer.from(fb.readPhys(16 * 4096, image.length)).equals(image)).toBe(true);
    expect([xen.frames.framesHeld, xen.frames.sharedFrames, xen.frames.savedFrames]).toEqual([6, 3, 3]);
    fb.writePhys(17 * 4096, new Uint8Array([9]));
    expect([...fa.read(17, 0, 3)]).toEqual([1, 2, 3]);
    expect([...fb.read(17, 0, 3)]).toEqual([9, 2, 3]);
    expect(xen.frames.savedFrames).toBe(2);
    // destroying one domain leaves the other's contents; the last reference frees the copy
    xen.hypercall({ op: 'domctl.destroydomain', domid: a });
    expect(Buffer.from(fb.readPhys(18 * 4096, 4096)).equals(image.subarray(2 * 4096))).toBe(true);
    expect([xen.frames.sharedFrames, xen.frames.savedFrames]).toEqual([2, 0]);
    // only whole, mapped pages; a failure writes nothing
    expect(() => fb.sharePhys(100, new Uint8Array(4096))).toThrowError(/whole pages/);
    expect(() => fb.sharePhys(63 * 4096, new Uint8Array(8192).fill(1))).toThrowError(/not populated/);
    expect(fb.read(63)).toEqual(new Uint8Array(4096));
  });

  it('refuses an unpopulated gfn with EFAULT and writes nothing of a range that reaches one', () => {
    const xen = host();
    const domid = guest(xen, 16);
    const fm = xen.hypercall({ op: 'privcmd.map_foreign', domid });
    expect(() => fm.read(16)).toThrowError(/gfn 0x10 .* not populated in domain 1/);
    expect(() => fm.writePhys(15 * 4096, new Uint8Array(8192).fill(1))).toThrowError(/EFAULT|not populated/);
    expect(fm.read(15)).toEqual(new Uint8Array(4096));
  });

  it('destroy and decrease_reservation scrub: a new guest on the same frames reads zeros', () => {
    const xen = host();
    const a = guest(xen, 512);
    const fm = xen.hypercall({ op: 'privcmd.map_foreign', domid: a });
    for (let g = 0; g < 512; g += 7) fm.write(g, 0, new Uint8Array([g & 0xff, 1]));
    xen.hypercall({ op: 'domctl.destroydomain', domid: a });
    expect(xen.frames.framesHeld).toBe(0);
    const b = guest(xen, 512);
    const fb = xen.hypercall({ op: 'privcmd.map_foreign', domid: b });
    for (let g = 0; g < 512; g += 7) expect(fb.read(g, 0, 2)).toEqual(new Uint8Array(2));
  });

  it('writes through the mapping set log-dirty bits while log-dirty is on', () => {
    const xen = host();
    const domid = guest(xen, 2048);
    const fm = xen.hypercall({ op: 'privcmd.map_foreign', domid });
    fm.write(1, 0, new Uint8Array([1])); // before: not logged
    xen.hypercall({ op: 'domctl.shadow_op', domid, shadowOp: 'enable_logdirty' });
    expect(() => xen.hypercall({ op: 'domctl.shadow_op', domid, shadowOp: 'enable_logdirty' })).toThrowError(/already enabled/);
    fm.write(5, 0, new Uint8Array([1]));
    fm.writePhys(2000 * 4096 + 4095, new Uint8Array([1, 2]));
    const r = xen.hypercall({ op: 'domctl.shadow_op', domid, shadowOp: 'clean' });
    expect(r.bitmap!.length).toBe(2048 / 8);
    expect(bitmapPfns(r.bitmap!)).toEqual([5, 2000, 2001]);
    expect(r.stats.dirtyCount).toBe(3);
    expect(bitmapPfns(xen.hypercall({ op: 'domctl.shadow_op', domid, shadowOp: 'peek' }).bitmap!)).toEqual([]);
    xen.hypercall({ op: 'domctl.shadow_op', domid, shadowOp: 'off' });
  });

  it('populate_physmap at a gfn: EEXIST over populated frames, and nothing changes', () => {
    const xen = host();
    const domid = guest(xen, 1024);
    const free = xen.hypercall({ op: 'sysctl.physinfo' }).freePages;
    expect(() => xen.hypercall({ op: 'memory_op.populate_physmap', domid, pages: 4, gfn: 1022 })).toThrowError(/gfn 0x3fe is already populated/);
    expect(xen.hypercall({ op: 'sysctl.physinfo' }).freePages).toBe(free);
    xen.hypercall({ op: 'memory_op.populate_physmap', domid, pages: 512, gfn: 4096 });
    const fm = xen.hypercall({ op: 'privcmd.map_foreign', domid });
    expect(fm.mapped(4096 + 511)).toBe(true);
    expect(fm.mapped(2000)).toBe(false);
    expect(xen.hypercall({ op: 'domctl.getdomaininfo', domid }).totPages).toBe(1536);
  });

  it('property: guest-physical reads give back the last bytes written at each address', () => {
    const xen = host();
    fc.assert(
      fc.property(fc.array(fc.record({ gpa: fc.integer({ min: 0, max: 64 * 4096 - 200 }), bytes: fc.uint8Array({ minLength: 1, maxLength: 200 }) }), { maxLength: 25 }), (writes) => {
        const domid = guest(xen, 64);
        const fm = xen.hypercall({ op: 'privcmd.map_foreign', domid });
        const model = new Uint8Array(64 * 4096);
        for (const w of writes) {
          fm.writePhys(w.gpa, w.bytes);
          model.set(w.bytes, w.gpa);
        }
        expect(Buffer.from(fm.readPhys(0, model.length)).equals(model)).toBe(true);
        xen.hypercall({ op: 'domctl.destroydomain', domid });
      }),
      { numRuns: 30 },
    );
  });
});
