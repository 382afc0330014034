/**
 * The header `xl save` puts before libxl's stream (tools/xl/xl.h struct
 * save_file_header, xl_saverestore.c save_domain_core_writeconfig): the 32-byte magic
 * "Xen saved domain, xl format\n \0 \r", then in the host's byte order byteorder
 * (0x01020304), mandatory_flags (bit 0 config in JSON, bit 1 stream v2; unknown bits
 * refuse the restore), optional_flags, optional_data_len; the optional data is a u32
 * length and the domain's libxl_domain_config as JSON with its trailing NUL.
 * Messages are xl's (xl_vmcontrol.c create_domain).
 */
import type { ByteReader, ByteWriter } from './byte-stream';
import { streamError } from './stream-error';

export const XL_MAGIC = new TextEncoder().encode('Xen saved domain, xl format\n \0 \r');
export const SAVEFILE_BYTEORDER_VALUE = 0x01020304;
export const XL_MANDATORY_FLAG_JSON = 1;
export const XL_MANDATORY_FLAG_STREAMV2 = 2;
const XL_MANDATORY_FLAG_ALL = XL_MANDATORY_FLAG_JSON | XL_MANDATORY_FLAG_STREAMV2;

export interface XlSaveHeader {
  mandatoryFlags: number;
  optionalFlags: number;
  optionalDataLen: number;
  /** The config JSON without its NUL (absent when the file carries none). */
  configJson?: string;
}

/** Writes the header; returns xl's line "Saving to FILE new xl format (info 0x3/0x0/N)". */
export function writeXlSaveHeader(w: ByteWriter, configJson: string, source: string): string {
  const config = new TextEncoder().encode(`${configJson}\0`);
  const mandatory = XL_MANDATORY_FLAG_STREAMV2 | XL_MANDATORY_FLAG_JSON;
  const optLen = 4 + config.length;
  w.bytes(XL_MAGIC);
  w.u32le(SAVEFILE_BYTEORDER_VALUE);
  w.u32le(mandatory);
  w.u32le(0);
  w.u32le(optLen);
  w.u32le(config.length);
  w.bytes(config);
  return `Saving to ${source} new xl format (info 0x${mandatory.toString(16)}/0x0/${optLen})`;
}

export function readXlSaveHeader(r: ByteReader, source: string, log: (line: string) => void): XlSaveHeader {
  const magic = r.exact(32, 'xl save file header');
  if (magic.some((b, i) => b !== XL_MAGIC[i])) throw streamError('File has wrong magic number - corrupt or for a different tool?', 0);
  const v = r.fields(16, 'xl save file header');
  if (v.getUint32(0, true) !== SAVEFILE_BYTEORDER_VALUE) throw streamError('File has wrong byte order', 32);
  const h: XlSaveHeader = { mandatoryFlags: v.getUint32(4, true), optionalFlags: v.getUint32(8, true), optionalDataLen: v.getUint32(12, true) };
  log(`Loading new save file ${source} (new xl fmt info 0x${h.mandatoryFlags.toString(16)}/0x${h.optionalFlags.toString(16)}/${h.optionalDataLen})`);
  const bad = h.mandatoryFlags & ~XL_MANDATORY_FLAG_ALL;
  if (bad) throw streamError(`Savefile has mandatory flag(s) 0x${bad.toString(16)} which are not supported; need newer xl`, 36);
  if (!(h.mandatoryFlags & XL_MANDATORY_FLAG_STREAMV2)) throw streamError('Savefile holds a legacy (pre-4.6) stream, which XenDeck does not read; convert it with convert-legacy-stream', 36);
  if (h.optionalDataLen > 0) {
    const opt = r.exact(h.optionalDataLen, 'xl save file optional data');
    log(` Savefile contains xl domain config${h.mandatoryFlags & XL_MANDATORY_FLAG_JSON ? ' in JSON format' : ''}`);
    if (opt.length < 4) throw streamError('Savefile truncated.', 48);
    const len = new DataView(opt.buffer, opt.byteOffset, 4).getUint32(0, true);
    if (opt.length - 4 < len) throw streamError('Savefile truncated.', 52);
    const bytes = opt.subarray(4, 4 + len);
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0 ? bytes.length - 1 : bytes.length;
    h.configJson = new TextDecoder().decode(bytes.subarray(0, end));
  }
  return h;
}
