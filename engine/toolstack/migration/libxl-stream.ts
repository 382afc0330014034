/**
 * libxl's migration stream v2 (docs/specs/libxl-migration-stream.pandoc, revision 2;
 * tools/libs/light/libxl_sr_stream_format.h): a 16-byte big-endian header (ident
 * "LibxlFmt", version 2, options: bit 0 endianness, bit 1 legacy-converted), then
 * records framed like libxc's. LIBXC_CONTEXT (empty) hands over to an inline libxc
 * stream; EMULATOR_XENSTORE_DATA / EMULATOR_CONTEXT carry the device model's state
 * (none here: the simulator runs no QEMU); CHECKPOINT_END closes a checkpoint of a
 * Remus / COLO stream; END ends the stream.
 *
 * xl save writes: header, LIBXC_CONTEXT + libxc stream, END (libxl_stream_write.c:
 * stream_header, libxc_header, then the emulator records for HVM guests with a device
 * model, then end_record).
 */
import type { ByteReader, ByteWriter } from './byte-stream';
import { readRecord, writeRecord } from './libxc-format';
import { streamError } from './stream-error';

export const LIBXL_IDENT = 0x4c6962786c466d74n; // "LibxlFmt"
export const LIBXL_VERSION = 2;
export const LIBXL_REC = { END: 0, LIBXC_CONTEXT: 1, EMULATOR_XENSTORE_DATA: 2, EMULATOR_CONTEXT: 3, CHECKPOINT_END: 4, CHECKPOINT_STATE: 5 } as const;

export function writeLibxlHeader(w: ByteWriter): void {
  w.u64be(LIBXL_IDENT);
  w.u32be(LIBXL_VERSION);
  w.u32be(0); // little-endian, not legacy-converted
}

export function readLibxlHeader(r: ByteReader): void {
  const at = r.offset;
  const v = r.fields(16, 'libxl stream header');
  if (v.getBigUint64(0, false) !== LIBXL_IDENT) throw streamError('libxl stream header: bad ident (expected "LibxlFmt")', at);
  const version = v.getUint32(8, false);
  if (version !== LIBXL_VERSION) throw streamError(`libxl stream header: version ${version}, expected ${LIBXL_VERSION}`, at);
  const options = v.getUint32(12, false);
  if (options & 1) throw streamError('libxl stream header: big-endian stream on a little-endian host', at);
  if (options & 2) throw streamError('libxl stream header: a legacy-converted stream (convert-legacy-stream output) is not supported', at);
  if (options & ~3) throw streamError('libxl stream header: reserved option bits set', at);
}

/** The libxl record that starts the inline libxc stream. */
export function writeLibxcContext(w: ByteWriter): void {
  writeRecord(w, LIBXL_REC.LIBXC_CONTEXT);
}

export function writeLibxlEnd(w: ByteWriter): void {
  writeRecord(w, LIBXL_REC.END);
}

/**
 * Reads libxl records until LIBXC_CONTEXT (returns 'libxc': the caller reads the libxc
 * stream) or END (returns 'end'). Emulator records are refused: no device model here.
 */
export function nextLibxlSection(r: ByteReader): 'libxc' | 'end' | 'checkpoint-end' {
  for (;;) {
    const rec = readRecord(r, 'libxl');
    switch (rec.type) {
      case LIBXL_REC.END:
        if (rec.body.length !== 0) throw streamError('libxl END record with a body', rec.offset);
        return 'end';
      case LIBXL_REC.LIBXC_CONTEXT:
        if (rec.body.length !== 0) throw streamError('libxl LIBXC_CONTEXT record with a body', rec.offset);
        return 'libxc';
      case LIBXL_REC.CHECKPOINT_END:
        return 'checkpoint-end';
      case LIBXL_REC.EMULATOR_XENSTORE_DATA:
      case LIBXL_REC.EMULATOR_CONTEXT:
        throw streamError('libxl emulator record: the stream carries a device model\'s state, and XenDeck runs no device model', rec.offset);
      default:
        throw streamError(`unknown libxl record type ${rec.type}`, rec.offset);
    }
  }
}
