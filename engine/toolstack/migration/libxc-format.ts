/**
 * The framing of libxc's migration stream v2 (docs/specs/libxc-migration-stream.pandoc,
 * revision 3; tools/libs/guest/xg_sr_stream_format.h): the image header (big-endian,
 * marker ~0, "XENF", version 3, options bit 0 = endianness), the domain header (guest
 * type, page shift 12, the Xen version that wrote it) and the records — type, body
 * length, body, zero padding to 8 bytes. Bit 31 of a record type marks it optional; a
 * restorer must refuse a mandatory type it does not know.
 */
import { PAGE_SHIFT } from '../../hypervisor/page';
import type { ByteReader, ByteWriter } from './byte-stream';
import { streamError } from './stream-error';

export const IHDR_MARKER = 0xffffffffffffffffn;
export const IHDR_ID = 0x58454e46; // "XENF"
export const IHDR_VERSION = 3;
export const DHDR_TYPE_X86_PV = 1;
export const DHDR_TYPE_X86_HVM = 2;

export const REC = {
  END: 0x00,
  PAGE_DATA: 0x01,
  X86_PV_INFO: 0x02,
  X86_PV_P2M_FRAMES: 0x03,
  X86_PV_VCPU_BASIC: 0x04,
  X86_PV_VCPU_EXTENDED: 0x05,
  X86_PV_VCPU_XSAVE: 0x06,
  SHARED_INFO: 0x07,
  X86_TSC_INFO: 0x08,
  HVM_CONTEXT: 0x09,
  HVM_PARAMS: 0x0a,
  TOOLSTACK: 0x0b,
  X86_PV_VCPU_MSRS: 0x0c,
  VERIFY: 0x0d,
  CHECKPOINT: 0x0e,
  CHECKPOINT_DIRTY_PFN_LIST: 0x0f,
  STATIC_DATA_END: 0x10,
  X86_CPUID_POLICY: 0x11,
  X86_MSR_POLICY: 0x12,
} as const;
export const REC_OPTIONAL = 0x80000000;

const REC_NAMES = new Map<number, string>(Object.entries(REC).map(([k, v]) => [v, k]));
export function recName(type: number): string {
  return REC_NAMES.get(type) ?? `0x${type.toString(16)}`;
}

/** XEN_DOMCTL_PFINFO_* >> 28: the top 4 bits of a PAGE_DATA pfn entry (bits 60-63). */
export const PFINFO = { NOTAB: 0x0, L1TAB: 0x1, L2TAB: 0x2, L3TAB: 0x3, L4TAB: 0x4, BROKEN: 0xd, XALLOC: 0xe, XTAB: 0xf } as const;
/** Types that carry a page of data: NOTAB, L1-L4TAB and their pinned forms ((type & 7) <= 4). */
export function pfinfoHasData(type: number): boolean {
  return type <= 4 || (type >= 9 && type <= 0xc);
}
/** Largest batch of pfns libxc puts in one PAGE_DATA record (xg_sr_common.h MAX_BATCH_SIZE). */
export const MAX_BATCH_SIZE = 1024;

export interface DomainHeader {
  type: 'pv' | 'hvm';
  xenMajor: number;
  xenMinor: number;
}

export function writeImageHeader(w: ByteWriter): void {
  w.u64be(IHDR_MARKER);
  w.u32be(IHDR_ID);
  w.u32be(IHDR_VERSION);
  w.u16be(0); // options: little-endian
  w.u16be(0);
  w.u32be(0);
}

/** Reads and checks the image header; returns the version (2 or 3). */
export function readImageHeader(r: ByteReader): number {
  const at = r.offset;
  const v = r.fields(24, 'libxc image header');
  if (v.getBigUint64(0, false) !== IHDR_MARKER) throw streamError('libxc image header: bad marker (a legacy or non-v2 image)', at);
  const id = v.getUint32(8, false);
  if (id !== IHDR_ID) throw streamError(`libxc image header: bad id 0x${id.toString(16)}, expected 0x${IHDR_ID.toString(16)} ("XENF")`, at);
  const version = v.getUint32(12, false);
  if (version < 2 || version > 3) throw streamError(`libxc image header: unknown version ${version} (2 or 3)`, at);
  const options = v.getUint16(16, false);
  if (options & 1) throw streamError('libxc image header: big-endian stream on a little-endian host', at);
  if (options & 0xfffe || v.getUint16(18, false) !== 0 || v.getUint32(20, false) !== 0) throw streamError('libxc image header: reserved bits set', at);
  return version;
}

export function writeDomainHeader(w: ByteWriter, h: DomainHeader): void {
  w.u32le(h.type === 'pv' ? DHDR_TYPE_X86_PV : DHDR_TYPE_X86_HVM);
  w.u16le(PAGE_SHIFT);
  w.u16le(0);
  w.u32le(h.xenMajor);
  w.u32le(h.xenMinor);
}

export function readDomainHeader(r: ByteReader): DomainHeader {
  const at = r.offset;
  const v = r.fields(16, 'libxc domain header');
  const t = v.getUint32(0, true);
  if (t !== DHDR_TYPE_X86_PV && t !== DHDR_TYPE_X86_HVM) throw streamError(`libxc domain header: unsupported guest type ${t} (1 x86 PV, 2 x86 HVM)`, at);
  const shift = v.getUint16(4, true);
  if (shift !== PAGE_SHIFT) throw streamError(`libxc domain header: page shift ${shift}, expected ${PAGE_SHIFT}`, at);
  return { type: t === DHDR_TYPE_X86_PV ? 'pv' : 'hvm', xenMajor: v.getUint32(8, true), xenMinor: v.getUint32(12, true) };
}

/** A record with its body in hand (small records). */
export function writeRecord(w: ByteWriter, type: number, body: Uint8Array = new Uint8Array(0)): void {
  w.u32le(type);
  w.u32le(body.length);
  w.bytes(body);
  w.zeros(pad8(body.length));
}

export function pad8(n: number): number {
  return (8 - (n % 8)) % 8;
}

export interface RawRecord {
  type: number;
  body: Uint8Array;
  /** Stream offset of the record header. */
  offset: number;
}

/** Largest record body a reader accepts (a full PAGE_DATA batch is ~4 MiB). */
const MAX_RECORD = 64 << 20;

export function readRecord(r: ByteReader, layer: 'libxc' | 'libxl'): RawRecord {
  const offset = r.offset;
  const h = r.fields(8, `${layer} record header`);
  const type = h.getUint32(0, true);
  const length = h.getUint32(4, true);
  if (length > MAX_RECORD) throw streamError(`${layer} record type 0x${type.toString(16)}: length ${length} is larger than any record`, offset);
  const body = r.exact(length, `${layer} record type 0x${type.toString(16)} body`);
  const pad = r.exact(pad8(length), `${layer} record padding`);
  if (pad.some((b) => b !== 0)) throw streamError(`${layer} record type 0x${type.toString(16)}: non-zero padding`, offset);
  return { type, body, offset };
}

export function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
