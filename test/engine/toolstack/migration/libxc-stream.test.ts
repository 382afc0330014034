/**
 * The libxc stream writer and reader on their own: a live-migration shaped stream (a
 * first pass over all memory, then the pages a log-dirty CLEAN says were written
 * meanwhile) restores to the final memory; and the reader refuses what libxc refuses.
 */
import { describe, expect, it } from 'vitest';
import { Xen } from '../../../../engine/hypervisor/xen';
import { bitmapPfns } from '../../../../engine/hypervisor/mm/log-dirty';
import { ByteReader, ByteWriter, memorySource } from '../../../../engine/toolstack/migration/byte-stream';
import { REC, REC_OPTIONAL, writeDomainHeader, writeImageHeader, writeRecord } from '../../../../engine/toolstack/migration/libxc-format';
import { readLibxcStream, type RestoreTarget } from '../../../../engine/toolstack/migration/libxc-restore';
import { writeEndState, writePages, writeStaticData, type SaveSource } from '../../../../engine/toolstack/migration/libxc-save';

function boot(): Xen {
  return Xen.boot({ seed: 5, topology: { sockets: 1, coresPerSocket: 2, threadsPerCore: 1, memoryMiB: 2048, x2apic: false } });
}

function source(xen: Xen, domid: number): SaveSource {
  const memory = xen.hypercall({ op: 'privcmd.map_foreign', domid });
  return {
    domid,
    type: 'pv',
    xen: { major: 4, minor: 17 },
    cpuPolicy: xen.hypercall({ op: 'domctl.get_cpu_policy', domid }),
    vcpus: [{ id: 0, online: true }],
    tsc: { mode: 0, khz: xen.cpuKhz, nsec: 0, incarnation: 0 },
    hvmParams: new Map(),
    memory,
    forEachPopulated: (cb) => memory.forEachPopulated(cb),
    p2mSize: memory.gfnLimit,
  };
}

function target(xen: Xen, domid: number): RestoreTarget {
  const mem = xen.hypercall({ op: 'privcmd.map_foreign', domid });
  return {
    header: () => {},
    populate: (pfns) => pfns.filter((p) => !mem.mapped(p)).forEach((p) => xen.hypercall({ op: 'memory_op.populate_physmap', domid, pages: 1, gfn: p })),
    writePage: (pfn, data) => mem.write(pfn, 0, data),
    cpuid: () => {},
  };
}

function collect(f: (w: ByteWriter) => void): Uint8Array {
  const chunks: Uint8Array[] = [];
  const w = new ByteWriter((c) => chunks.push(c.slice()));
  f(w);
  w.flush();
  return Buffer.concat(chunks);
}

const page = (seed: number): Uint8Array => Uint8Array.from({ length: 4096 }, (_, i) => (seed * 13 + i) & 0xff);

describe('libxc stream v3: iterations over the log-dirty bitmap, as a live migration sends them', () => {
  it('a first pass then the dirtied pages restore to the memory as it was at the end', () => {
    const xen = boot();
    const a = xen.hypercall({ op: 'domctl.createdomain', type: 'pv', maxVcpus: 1 }).domid;
    xen.hypercall({ op: 'memory_op.populate_physmap', domid: a, pages: 2048 });
    const fa = xen.hypercall({ op: 'privcmd.map_foreign', domid: a });
    for (const g of [1, 2, 3, 500]) fa.write(g, 0, page(g));
    const src = source(xen, a);
    xen.hypercall({ op: 'domctl.shadow_op', domid: a, shadowOp: 'enable_logdirty' });
    const stream = collect((w) => {
      writeImageHeader(w);
      writeDomainHeader(w, { type: 'pv', xenMajor: 4, xenMinor: 17 });
      writeStaticData(w, src);
      const all: number[] = [];
      src.forEachPopulated((g, n) => all.push(...Array.from({ length: n }, (_, i) => g + i)));
      writePages(w, src.memory, all);
      // the guest runs on while the first pass goes out: it writes pages again
      fa.write(2, 0, page(99));
      fa.write(1000, 8, Uint8Array.of(1, 2, 3));
      const { bitmap } = xen.hypercall({ op: 'domctl.shadow_op', domid: a, shadowOp: 'clean' });
      const dirty = bitmapPfns(bitmap!);
      expect(dirty).toEqual([2, 1000]);
      writePages(w, src.memory, dirty);
      writeEndState(w, src);
      writeRecord(w, REC.END);
    });
    const b = xen.hypercall({ op: 'domctl.createdomain', type: 'pv', maxVcpus: 1 }).domid;
    const st = readLibxcStream(new ByteReader(memorySource(stream)), target(xen, b));
    expect(st.pages).toBe(2048 + 2);
    expect(st.dataPages).toBe(4 + 2);
    const fb = xen.hypercall({ op: 'privcmd.map_foreign', domid: b });
    for (let g = 0; g < 2048; g++) expect(Buffer.from(fb.read(g)).equals(fa.read(g)), `gfn ${g}`).toBe(true);
    expect(xen.hypercall({ op: 'domctl.getdomaininfo', domid: b }).totPages).toBe(2048);
  });
});

describe('libxc stream reader refuses what libxc refuses', () => {
  const head = (w: ByteWriter): void => {
    writeImageHeader(w);
    writeDomainHeader(w, { type: 'pv', xenMajor: 4, xenMinor: 17 });
  };
  const read = (bytes: Uint8Array): unknown => {
    const xen = boot();
    const d = xen.hypercall({ op: 'domctl.createdomain', type: 'pv', maxVcpus: 1 }).domid;
    try {
      return readLibxcStream(new ByteReader(memorySource(bytes)), target(xen, d));
    } catch (e) {
      return e;
    }
  };

  it('an unknown mandatory record fails, an unknown optional one is skipped', () => {
    expect(read(collect((w) => (head(w), writeRecord(w, 0x13, new Uint8Array(8)), writeRecord(w, REC.END))))).toMatchObject({ message: expect.stringMatching(/unknown mandatory libxc record type 0x13 \(at byte 40\)/) });
    expect(read(collect((w) => (head(w), writeRecord(w, REC_OPTIONAL | 0x42, new Uint8Array(3)), writeRecord(w, REC.END))))).toMatchObject({ version: 3, pages: 0 });
  });

  it('page data before STATIC_DATA_END, a length that does not match the pfns, reserved bits: refused', () => {
    const pd = (count: number, pages: number, entry = 0n): Uint8Array => {
      const b = new Uint8Array(8 + count * 8 + pages * 4096);
      const v = new DataView(b.buffer);
      v.setUint32(0, count, true);
      for (let i = 0; i < count; i++) v.setBigUint64(8 + i * 8, entry + BigInt(i), true);
      return b;
    };
    expect(read(collect((w) => (head(w), writeRecord(w, REC.PAGE_DATA, pd(1, 1)))))).toMatchObject({ message: expect.stringContaining('PAGE_DATA before STATIC_DATA_END') });
    expect(read(collect((w) => (head(w), writeRecord(w, REC.STATIC_DATA_END), writeRecord(w, REC.PAGE_DATA, pd(2, 1)))))).toMatchObject({ message: expect.stringMatching(/PAGE_DATA: 4120 bytes, expected 8216 for 2 pfns with 2 pages of data/) });
    expect(read(collect((w) => (head(w), writeRecord(w, REC.STATIC_DATA_END), writeRecord(w, REC.PAGE_DATA, pd(1, 1, 1n << 55n)))))).toMatchObject({ message: expect.stringContaining('reserved bits set in pfn[0]') });
    expect(read(collect((w) => (head(w), writeRecord(w, REC.STATIC_DATA_END), writeRecord(w, REC.PAGE_DATA, pd(1, 0, 6n << 60n)))))).toMatchObject({ message: expect.stringContaining('invalid page type 0x6') });
  });

  it('a record of the other guest type, HVM_PARAMS after HVM_CONTEXT, non-zero padding, no END: refused', () => {
    expect(read(collect((w) => (head(w), writeRecord(w, REC.HVM_CONTEXT, new Uint8Array(8)))))).toMatchObject({ message: expect.stringContaining('HVM_CONTEXT record in an x86 PV stream') });
    const padded = collect((w) => (head(w), writeRecord(w, REC.VERIFY, new Uint8Array(0)), w.u32le(REC_OPTIONAL | 1), w.u32le(3), w.bytes(Uint8Array.of(1, 2, 3, 0, 0, 9, 0, 0)), writeRecord(w, REC.END)));
    expect(read(padded)).toMatchObject({ message: expect.stringContaining('non-zero padding') });
    expect(read(collect((w) => head(w)))).toMatchObject({ message: expect.stringMatching(/truncated stream: libxc record header needs 8 bytes, only 0 left \(at byte 40\)/) });
  });
});
