/**
 * The xen dump-core file format, as xc_domain_dumpcore writes it (docs/misc/
 * dump-core-format.txt, format version (0, 1); tools/libs/guest/xg_core.c, xg_core.h,
 * xg_core_x86.c). An ELF64 ET_CORE file with no program headers and these sections, in
 * libxc's order:
 *
 *   ELF header | section headers: null, .shstrtab, .note.Xen, .xen_prstatus,
 *   .xen_shared_info (if the shared info page could be mapped), .xen_pages,
 *   .xen_p2m (PV: {pfn, gmfn} pairs) or .xen_pfn (auto-translated: pfns)
 *   | .note.Xen: the "Xen" notes none, header, xen_version, format_version
 *   | .xen_prstatus: vcpu_guest_context_t per vCPU whose context could be read
 *   | .xen_shared_info | zero padding to a page boundary
 *   | .xen_pages: the pages, page-aligned, in the order of the p2m/pfn table
 *   | .xen_p2m or .xen_pfn | .shstrtab
 *
 * Section offsets follow libxc's arithmetic exactly (the note section sits at
 * sizeof(Elf64_Ehdr) plus the section header table, sizes are the structs' sizes on
 * x86_64), so a file from here and one from xl dump-core differ only in contents.
 * Analysis tools are told to go by section names, not order (xg_core.c's comment).
 *
 * This module only lays out and encodes; domain-dumpcore.ts gathers a domain's state
 * and writes the file, xc-core-reader.ts reads one back.
 */

export const PAGE_SIZE = 4096;
export const ELF64_EHDR_SIZE = 64;
export const ELF64_SHDR_SIZE = 64;
const ELF64_PHDR_SIZE = 56;

export const SHT_PROGBITS = 1;
export const SHT_STRTAB = 3;
export const SHT_NOTE = 7;
export const ET_CORE = 4;
export const EM_X86_64 = 62;

/** xen/include/public/elfnote.h */
export const XEN_ELFNOTE_DUMPCORE_NONE = 0x2000000;
export const XEN_ELFNOTE_DUMPCORE_HEADER = 0x2000001;
export const XEN_ELFNOTE_DUMPCORE_XEN_VERSION = 0x2000002;
export const XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION = 0x2000003;

/** xg_core.h: xch_magic of the header note. */
export const XC_CORE_MAGIC = 0xf00febed;
export const XC_CORE_MAGIC_HVM = 0xf00febee;
/** XEN_DUMPCORE_FORMAT_VERSION(0, 1): major in the high 32 bits. */
export const XEN_DUMPCORE_FORMAT_VERSION_CURRENT = 1n;
/** XC_CORE_INVALID_PFN / _GMFN: an entry for a page that reads as zeros (padding at the end). */
export const XC_CORE_INVALID = 0xffffffffffffffffn;

export const SEC = {
  SHSTRTAB: '.shstrtab',
  NOTE: '.note.Xen',
  PRSTATUS: '.xen_prstatus',
  SHARED_INFO: '.xen_shared_info',
  PAGES: '.xen_pages',
  P2M: '.xen_p2m',
  PFN: '.xen_pfn',
} as const;

/** sizeof(vcpu_guest_context_any_t) on x86_64 (the x86_64 context, the larger of the union). */
export const VCPU_CONTEXT_SIZE = 5168;
/** struct elfnote {u32 namesz, descsz, type; char name[4]} with name "Xen". */
const ELFNOTE_SIZE = 16;
const HEADER_DESC_SIZE = 32;
/**
 * struct xen_dumpcore_elfnote_xen_version_desc: major, minor (u64), extra_version[16],
 * compile_info {compiler[64], compile_by[16], compile_domain[32], compile_date[32]},
 * capabilities[1024], changeset[64], platform_parameters {virt_start}, pagesize.
 */
export const XEN_VERSION_DESC_SIZE = 8 + 8 + 16 + 144 + 1024 + 64 + 8 + 8;
const FORMAT_VERSION_DESC_SIZE = 8;
export const NOTE_SECTION_SIZE = ELFNOTE_SIZE + (ELFNOTE_SIZE + HEADER_DESC_SIZE) + (ELFNOTE_SIZE + XEN_VERSION_DESC_SIZE) + (ELFNOTE_SIZE + FORMAT_VERSION_DESC_SIZE);

/** What __HYPERVISOR_xen_version answers (XENVER_*), written into the xen_version note. */
export interface XenVersionInfo {
  major: number;
  minor: number;
  extra: string;
  compiler: string;
  compileBy: string;
  compileDomain: string;
  compileDate: string;
  capabilities: string;
  changeset: string;
  virtStart: bigint;
}

export interface CoreLayoutInput {
  hvm: boolean;
  /** .xen_p2m (PV) rather than .xen_pfn (HVM / PVH: auto-translated physmap). */
  autoTranslated: boolean;
  nrVcpus: number;
  /** xch_nr_pages: the domain's tot_pages when the dump began. */
  nrPages: number;
  sharedInfo: boolean;
}

export interface SectionPlan {
  name: string;
  type: number;
  offset: number;
  size: number;
  addralign: number;
  entsize: number;
  nameIndex: number;
}

export interface CoreLayout {
  sections: SectionPlan[];
  strtab: Uint8Array;
  /** Where each part starts in the file. */
  noteOffset: number;
  prstatusOffset: number;
  sharedInfoOffset: number | undefined;
  pagesOffset: number;
  tableOffset: number;
  tableEntrySize: number;
  strtabOffset: number;
  fileSize: number;
}

/** xc_domain_dumpcore_via_callback's section plan and offsets. */
export function planCore(input: CoreLayoutInput): CoreLayout {
  const names: string[] = [];
  let strLen = 1; // index 0 is the empty name
  const nameIndex = (n: string): number => {
    names.push(n);
    const at = strLen;
    strLen += n.length + 1;
    return at;
  };
  const sections: SectionPlan[] = [{ name: '', type: 0, offset: 0, size: 0, addralign: 0, entsize: 0, nameIndex: 0 }];
  const add = (name: string, type: number, offset: number, size: number, addralign: number, entsize: number): SectionPlan => {
    const s = { name, type, offset, size, addralign, entsize, nameIndex: nameIndex(name) };
    sections.push(s);
    return s;
  };
  const strtab = add(SEC.SHSTRTAB, SHT_STRTAB, 0, 0, 0, 0);
  // the section header count is not known yet: offsets start after the ELF header and
  // are moved past the header table below, as libxc's "fixup" does
  let offset = ELF64_EHDR_SIZE;
  const note = add(SEC.NOTE, SHT_NOTE, offset, NOTE_SECTION_SIZE, 0, 0);
  offset += NOTE_SECTION_SIZE;
  const prstatus = add(SEC.PRSTATUS, SHT_PROGBITS, offset, VCPU_CONTEXT_SIZE * input.nrVcpus, 8, VCPU_CONTEXT_SIZE);
  offset += prstatus.size;
  const shared = input.sharedInfo ? add(SEC.SHARED_INFO, SHT_PROGBITS, offset, PAGE_SIZE, 8, PAGE_SIZE) : undefined;
  if (shared) offset += PAGE_SIZE;
  const fixup = (sections.length + 2) * ELF64_SHDR_SIZE;
  for (let i = 1; i < sections.length; i++) sections[i]!.offset += fixup;
  offset += fixup;
  offset = Math.ceil(offset / PAGE_SIZE) * PAGE_SIZE;
  const pages = add(SEC.PAGES, SHT_PROGBITS, offset, input.nrPages * PAGE_SIZE, PAGE_SIZE, PAGE_SIZE);
  offset += pages.size;
  const entry = input.autoTranslated ? 8 : 16;
  const table = add(input.autoTranslated ? SEC.PFN : SEC.P2M, SHT_PROGBITS, offset, input.nrPages * entry, 8, entry);
  offset += table.size;
  strtab.offset = offset;
  strtab.size = strLen;
  const bytes = new Uint8Array(strLen);
  let at = 1;
  for (const n of names) {
    for (let i = 0; i < n.length; i++) bytes[at + i] = n.charCodeAt(i);
    at += n.length + 1;
  }
  return {
    sections,
    strtab: bytes,
    noteOffset: note.offset,
    prstatusOffset: prstatus.offset,
    sharedInfoOffset: shared?.offset,
    pagesOffset: pages.offset,
    tableOffset: table.offset,
    tableEntrySize: entry,
    strtabOffset: offset,
    fileSize: offset + strLen,
  };
}

/** The ELF header and the section header table (what goes at offset 0). */
export function encodeHeaders(layout: CoreLayout): Uint8Array {
  const out = new Uint8Array(ELF64_EHDR_SIZE + layout.sections.length * ELF64_SHDR_SIZE);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46]);
  out[4] = 2; // ELFCLASS64, whatever the guest
  out[5] = 1; // ELFDATA2LSB (x86)
  out[6] = 1; // EV_CURRENT
  out[7] = 0; // ELFOSABI_SYSV
  out[8] = 1; // EI_ABIVERSION: libxc sets EV_CURRENT
  v.setUint16(16, ET_CORE, true);
  v.setUint16(18, EM_X86_64, true); // a 64-bit guest (EM_386 only for 32-bit PV)
  v.setUint32(20, 1, true);
  v.setBigUint64(24, 0n, true); // e_entry
  v.setBigUint64(32, 0n, true); // e_phoff: no program headers
  v.setBigUint64(40, BigInt(ELF64_EHDR_SIZE), true); // e_shoff
  v.setUint32(48, 0, true); // e_flags
  v.setUint16(52, ELF64_EHDR_SIZE, true);
  v.setUint16(54, ELF64_PHDR_SIZE, true);
  v.setUint16(56, 0, true);
  v.setUint16(58, ELF64_SHDR_SIZE, true);
  v.setUint16(60, layout.sections.length, true);
  v.setUint16(62, 1, true); // e_shstrndx: .shstrtab is section 1
  layout.sections.forEach((s, i) => {
    const o = ELF64_EHDR_SIZE + i * ELF64_SHDR_SIZE;
    v.setUint32(o, s.nameIndex, true);
    v.setUint32(o + 4, s.type, true);
    v.setBigUint64(o + 8, 0n, true); // sh_flags
    v.setBigUint64(o + 16, 0n, true); // sh_addr
    v.setBigUint64(o + 24, BigInt(s.offset), true);
    v.setBigUint64(o + 32, BigInt(s.size), true);
    v.setUint32(o + 40, 0, true); // sh_link
    v.setUint32(o + 44, 0, true); // sh_info
    v.setBigUint64(o + 48, BigInt(s.addralign), true);
    v.setBigUint64(o + 56, BigInt(s.entsize), true);
  });
  return out;
}

function putString(out: Uint8Array, at: number, max: number, s: string): void {
  // the C arrays are NUL-padded; a string that fills the array is cut one short
  const n = Math.min(s.length, max - 1);
  for (let i = 0; i < n; i++) out[at + i] = s.charCodeAt(i) & 0xff;
}

function noteHeader(v: DataView, at: number, descsz: number, type: number): number {
  v.setUint32(at, 4, true); // namesz: "Xen\0"
  v.setUint32(at + 4, descsz, true);
  v.setUint32(at + 8, type, true);
  v.setUint32(at + 12, 0x006e6558, true); // 'X' 'e' 'n' '\0'
  return at + ELFNOTE_SIZE;
}

/** The .note.Xen section: none, header, xen_version, format_version. */
export function encodeNotes(h: { hvm: boolean; nrVcpus: number; nrPages: number }, xen: XenVersionInfo): Uint8Array {
  const out = new Uint8Array(NOTE_SECTION_SIZE);
  const v = new DataView(out.buffer);
  let at = noteHeader(v, 0, 0, XEN_ELFNOTE_DUMPCORE_NONE);
  at = noteHeader(v, at, HEADER_DESC_SIZE, XEN_ELFNOTE_DUMPCORE_HEADER);
  v.setBigUint64(at, BigInt(h.hvm ? XC_CORE_MAGIC_HVM : XC_CORE_MAGIC), true);
  v.setBigUint64(at + 8, BigInt(h.nrVcpus), true);
  v.setBigUint64(at + 16, BigInt(h.nrPages), true);
  v.setBigUint64(at + 24, BigInt(PAGE_SIZE), true);
  at += HEADER_DESC_SIZE;
  at = noteHeader(v, at, XEN_VERSION_DESC_SIZE, XEN_ELFNOTE_DUMPCORE_XEN_VERSION);
  v.setBigUint64(at, BigInt(xen.major), true);
  v.setBigUint64(at + 8, BigInt(xen.minor), true);
  putString(out, at + 16, 16, xen.extra);
  putString(out, at + 32, 64, xen.compiler);
  putString(out, at + 96, 16, xen.compileBy);
  putString(out, at + 112, 32, xen.compileDomain);
  putString(out, at + 144, 32, xen.compileDate);
  putString(out, at + 176, 1024, xen.capabilities);
  putString(out, at + 1200, 64, xen.changeset);
  v.setBigUint64(at + 1264, xen.virtStart, true);
  v.setBigUint64(at + 1272, BigInt(PAGE_SIZE), true);
  at += XEN_VERSION_DESC_SIZE;
  at = noteHeader(v, at, FORMAT_VERSION_DESC_SIZE, XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION);
  v.setBigUint64(at, XEN_DUMPCORE_FORMAT_VERSION_CURRENT, true);
  return out;
}

/** .xen_p2m entries (PV) or .xen_pfn entries (auto-translated), padded with invalid ones to nrPages. */
export function encodeFrameTable(autoTranslated: boolean, nrPages: number, pfns: readonly number[], gmfns: readonly number[]): Uint8Array {
  const entry = autoTranslated ? 8 : 16;
  // invalid (all ones) unless filled in below; u64s written as two u32 halves (no BigInt per page)
  const out = new Uint8Array(nrPages * entry).fill(0xff);
  const v = new DataView(out.buffer);
  const put = (at: number, x: number): void => {
    v.setUint32(at, x >>> 0, true);
    v.setUint32(at + 4, Math.floor(x / 2 ** 32), true);
  };
  const n = Math.min(nrPages, pfns.length);
  for (let j = 0; j < n; j++) {
    put(j * entry, pfns[j]!);
    if (!autoTranslated) put(j * entry + 8, gmfns[j]!);
  }
  return out;
}
