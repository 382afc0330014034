/**
 * Reads a xen dump-core file back (docs/misc/dump-core-format.txt): the ELF header,
 * sections found by name (never by position, as the format asks of analysis tools), the
 * .note.Xen notes, and a page by pfn through .xen_p2m / .xen_pfn into .xen_pages — what
 * crash(8) or a VMI tool does with `xl dump-core` output. Every check failing names what
 * is wrong; a file from real xl reads the same way.
 */
import {
  ELF64_EHDR_SIZE,
  ELF64_SHDR_SIZE,
  ET_CORE,
  SEC,
  SHT_NOTE,
  XC_CORE_INVALID,
  XC_CORE_MAGIC,
  XC_CORE_MAGIC_HVM,
  XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION,
  XEN_ELFNOTE_DUMPCORE_HEADER,
  XEN_ELFNOTE_DUMPCORE_XEN_VERSION,
} from './xc-core-format';

export interface CoreSection {
  name: string;
  type: number;
  offset: number;
  size: number;
  entsize: number;
}

export interface XenCore {
  machine: number;
  sections: CoreSection[];
  header: { magic: number; nrVcpus: number; nrPages: number; pageSize: number };
  hvm: boolean;
  xenVersion: { major: number; minor: number; extra: string; capabilities: string };
  formatVersion: { major: number; minor: number };
  /** The pfn of each page of .xen_pages, in order (invalid entries left out). */
  pfns: number[];
  /** .xen_p2m's machine frames (PV), parallel to pfns. */
  gmfns: number[] | undefined;
  vcpuContexts: Uint8Array[];
  sharedInfo: Uint8Array | undefined;
  /** A page of the guest by pfn, or undefined if the dump has none for it. */
  page(pfn: number): Uint8Array | undefined;
}

export class CoreFormatError extends Error {
  override readonly name = 'CoreFormatError';
}

function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return String.fromCharCode(...b.subarray(0, end < 0 ? b.length : end));
}

export function readXenCore(file: Uint8Array): XenCore {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const fail = (what: string): never => {
    throw new CoreFormatError(what);
  };
  if (file.length < ELF64_EHDR_SIZE || v.getUint32(0, false) !== 0x7f454c46) fail('not an ELF file');
  if (file[4] !== 2) fail('not ELFCLASS64 (a xen dump-core file is always 64-bit)');
  if (file[5] !== 1) fail('not little-endian');
  if (v.getUint16(16, true) !== ET_CORE) fail(`e_type ${v.getUint16(16, true)} is not ET_CORE`);
  const shoff = Number(v.getBigUint64(40, true));
  const shnum = v.getUint16(60, true);
  const shstrndx = v.getUint16(62, true);
  if (v.getUint16(58, true) !== ELF64_SHDR_SIZE || shoff + shnum * ELF64_SHDR_SIZE > file.length) fail('section header table outside the file');
  const raw = Array.from({ length: shnum }, (_, i) => {
    const o = shoff + i * ELF64_SHDR_SIZE;
    return { nameIndex: v.getUint32(o, true), type: v.getUint32(o + 4, true), offset: Number(v.getBigUint64(o + 24, true)), size: Number(v.getBigUint64(o + 32, true)), entsize: Number(v.getBigUint64(o + 56, true)) };
  });
  const strtab = raw[shstrndx] ?? fail('e_shstrndx names no section');
  const sections: CoreSection[] = raw.map((s) => {
    if (s.offset + s.size > file.length) fail(`a section (offset ${s.offset}, ${s.size} bytes) runs past the end of the file`);
    return { name: cString(file.subarray(strtab.offset + s.nameIndex, strtab.offset + strtab.size)), type: s.type, offset: s.offset, size: s.size, entsize: s.entsize };
  });
  const section = (name: string): CoreSection | undefined => sections.find((s) => s.name === name);
  const body = (s: CoreSection): Uint8Array => file.subarray(s.offset, s.offset + s.size);

  const note = section(SEC.NOTE) ?? fail('no .note.Xen section');
  if (note.type !== SHT_NOTE) fail('.note.Xen is not SHT_NOTE');
  const notes = new Map<number, Uint8Array>();
  for (let at = note.offset; at < note.offset + note.size; ) {
    const namesz = v.getUint32(at, true);
    const descsz = v.getUint32(at + 4, true);
    const type = v.getUint32(at + 8, true);
    const name = cString(file.subarray(at + 12, at + 12 + namesz));
    const descAt = at + 12 + Math.ceil(namesz / 4) * 4;
    if (name === 'Xen') notes.set(type, file.subarray(descAt, descAt + descsz));
    at = descAt + Math.ceil(descsz / 4) * 4;
  }
  const hd = notes.get(XEN_ELFNOTE_DUMPCORE_HEADER) ?? fail('no dumpcore header note');
  const hv = new DataView(hd.buffer, hd.byteOffset, hd.byteLength);
  const header = { magic: Number(hv.getBigUint64(0, true)), nrVcpus: Number(hv.getBigUint64(8, true)), nrPages: Number(hv.getBigUint64(16, true)), pageSize: Number(hv.getBigUint64(24, true)) };
  if (header.magic !== XC_CORE_MAGIC && header.magic !== XC_CORE_MAGIC_HVM) fail(`bad xch_magic 0x${header.magic.toString(16)}`);
  const xd = notes.get(XEN_ELFNOTE_DUMPCORE_XEN_VERSION) ?? fail('no xen_version note');
  const xv = new DataView(xd.buffer, xd.byteOffset, xd.byteLength);
  const fd = notes.get(XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION) ?? fail('no format_version note');
  const fv = new DataView(fd.buffer, fd.byteOffset, fd.byteLength).getBigUint64(0, true);
  const formatVersion = { major: Number(fv >> 32n), minor: Number(fv & 0xffffffffn) };
  if (formatVersion.major !== 0) fail(`dump-core format major version ${formatVersion.major} is not 0`);

  const pages = section(SEC.PAGES) ?? fail('no .xen_pages section');
  const p2m = section(SEC.P2M);
  const pfnSec = section(SEC.PFN);
  const table = p2m ?? pfnSec ?? fail('neither .xen_p2m nor .xen_pfn');
  const entry = p2m ? 16 : 8;
  if (table.size !== header.nrPages * entry || pages.size !== header.nrPages * header.pageSize) fail('.xen_pages / frame table sizes disagree with xch_nr_pages');
  const pfns: number[] = [];
  const gmfns: number[] | undefined = p2m ? [] : undefined;
  const index = new Map<number, number>();
  for (let j = 0; j < header.nrPages; j++) {
    const pfn = v.getBigUint64(table.offset + j * entry, true);
    if (pfn === XC_CORE_INVALID) continue;
    index.set(Number(pfn), j);
    pfns.push(Number(pfn));
    gmfns?.push(Number(v.getBigUint64(table.offset + j * entry + 8, true)));
  }
  const prstatus = section(SEC.PRSTATUS) ?? fail('no .xen_prstatus section');
  const ctxSize = prstatus.entsize;
  const shared = section(SEC.SHARED_INFO);
  return {
    machine: v.getUint16(18, true),
    sections,
    header,
    hvm: header.magic === XC_CORE_MAGIC_HVM,
    xenVersion: { major: Number(xv.getBigUint64(0, true)), minor: Number(xv.getBigUint64(8, true)), extra: cString(xd.subarray(16, 32)), capabilities: cString(xd.subarray(176, 1200)) },
    formatVersion,
    pfns,
    gmfns,
    vcpuContexts: Array.from({ length: header.nrVcpus }, (_, i) => file.subarray(prstatus.offset + i * ctxSize, prstatus.offset + (i + 1) * ctxSize)),
    sharedInfo: shared ? body(shared) : undefined,
    page: (pfn) => {
      const j = index.get(pfn);
      return j === undefined ? undefined : file.subarray(pages.offset + j * header.pageSize, pages.offset + (j + 1) * header.pageSize);
    },
  };
}
