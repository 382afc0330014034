/**
 * The xenstore wire protocol (xen/include/public/io/xs_wire.h, docs/misc/xenstore.txt):
 * each message is a 16-byte header struct xsd_sockmsg {type, req_id, tx_id, len} of
 * uint32 in host byte order (little-endian: x86 and Arm hosts), then `len` payload bytes,
 * len ≤ XENSTORE_PAYLOAD_MAX (4096) both ways. Replies echo type, req_id and tx_id; an
 * error is type ERROR with "<ENAME>\0"; WATCH_EVENT is unsolicited with req_id = tx_id = 0.
 * `FrameDecoder` reassembles messages from arbitrary chunks of a byte stream.
 */
export const XsType = {
  CONTROL: 0,
  DIRECTORY: 1,
  READ: 2,
  GET_PERMS: 3,
  WATCH: 4,
  UNWATCH: 5,
  TRANSACTION_START: 6,
  TRANSACTION_END: 7,
  INTRODUCE: 8,
  RELEASE: 9,
  GET_DOMAIN_PATH: 10,
  WRITE: 11,
  MKDIR: 12,
  RM: 13,
  SET_PERMS: 14,
  WATCH_EVENT: 15,
  ERROR: 16,
  IS_DOMAIN_INTRODUCED: 17,
  RESUME: 18,
  SET_TARGET: 19,
  /** XS_RESTRICT in Xen 4.7, since removed: invalid. */
  RESTRICT: 20,
  RESET_WATCHES: 21,
  DIRECTORY_PART: 22,
  GET_FEATURE: 23,
  SET_FEATURE: 24,
  GET_QUOTA: 25,
  SET_QUOTA: 26,
  INVALID: 0xffff,
} as const;

export type XsTypeName = keyof typeof XsType;

export const HEADER_SIZE = 16;
export const XENSTORE_PAYLOAD_MAX = 4096;

export interface XsMessage {
  type: number;
  reqId: number;
  txId: number;
  payload: Buffer;
}

/** A framing violation: the connection must be closed. */
export class WireError extends Error {
  override readonly name = 'WireError';
}

export function encode(type: number, reqId: number, txId: number, payload: Buffer | string): Buffer {
  // A string is written straight after the header (one allocation, no copy).
  const len = payload.length;
  if (len > XENSTORE_PAYLOAD_MAX) throw new WireError(`payload of ${len} bytes exceeds ${XENSTORE_PAYLOAD_MAX}`);
  const out = Buffer.allocUnsafe(HEADER_SIZE + len);
  out.writeUInt32LE(type >>> 0, 0);
  out.writeUInt32LE(reqId >>> 0, 4);
  out.writeUInt32LE(txId >>> 0, 8);
  out.writeUInt32LE(len, 12);
  if (typeof payload === 'string') out.write(payload, HEADER_SIZE, 'latin1');
  else payload.copy(out, HEADER_SIZE);
  return out;
}

/** NUL-terminated strings: "a\0b\0" → ['a', 'b']; a trailing unterminated part is kept. */
export function splitStrings(payload: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < payload.length; i++) {
    if (payload[i] === 0) {
      out.push(payload.toString('latin1', start, i));
      start = i + 1;
    }
  }
  if (start < payload.length) out.push(payload.toString('latin1', start));
  return out;
}

/** Strings each followed by a NUL. */
export function joinStrings(parts: readonly string[]): Buffer {
  let n = 0;
  for (const p of parts) n += p.length + 1;
  const b = Buffer.allocUnsafe(n);
  let o = 0;
  for (const p of parts) {
    o += b.write(p, o, 'latin1');
    b[o++] = 0;
  }
  return b;
}

const EMPTY = Buffer.alloc(0);

export class FrameDecoder {
  private buf: Buffer = EMPTY;

  /** Bytes held that do not yet form a whole message. */
  get pending(): number {
    return this.buf.length;
  }

  /** Holds bytes without decoding them (a connection frozen for live update). */
  hold(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
  }

  /** Takes the bytes held (partial or undecoded messages), leaving the decoder empty. */
  takePending(): Buffer {
    const b = this.buf;
    this.buf = EMPTY;
    return b;
  }

  /** Adds a chunk; returns the whole messages now available. Throws WireError. */
  push(chunk: Buffer): XsMessage[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: XsMessage[] = [];
    let off = 0;
    while (this.buf.length - off >= HEADER_SIZE) {
      const len = this.buf.readUInt32LE(off + 12);
      if (len > XENSTORE_PAYLOAD_MAX) throw new WireError(`payload length ${len} exceeds ${XENSTORE_PAYLOAD_MAX}`);
      if (this.buf.length - off < HEADER_SIZE + len) break;
      out.push({
        type: this.buf.readUInt32LE(off),
        reqId: this.buf.readUInt32LE(off + 4),
        txId: this.buf.readUInt32LE(off + 8),
        // A view, not a copy: every chunk a socket hands over is its own memory, and what
        // the store keeps (a written value) is copied there.
        payload: this.buf.subarray(off + HEADER_SIZE, off + HEADER_SIZE + len),
      });
      off += HEADER_SIZE + len;
    }
    this.buf = off === this.buf.length ? EMPTY : Buffer.from(this.buf.subarray(off));
    return out;
  }
}
