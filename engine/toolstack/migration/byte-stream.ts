/**
 * Byte-level plumbing for the save / migration streams: a writer that batches small
 * fields into large chunks for a sink (a file, a socket), and a reader that takes exact
 * byte counts from a source and fails with the offset when the stream ends early, as
 * libxc's read_exact does ("Short read" / "Unexpected EOF"). Little-endian helpers for
 * the records (the stream's endianness is the host's, x86: little) and big-endian ones
 * for the image / libxl headers, which the specs fix as big-endian.
 */
import { streamError } from './stream-error';

const CHUNK = 1 << 20;

/** Takes a chunk and is done with it on return (the writer reuses the buffer behind it). */
export type ByteSink = (chunk: Uint8Array) => void;

export class ByteWriter {
  private buf = new Uint8Array(CHUNK);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  /** Bytes written so far (flushed or not). */
  written = 0;

  constructor(private readonly sink: ByteSink) {}

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      this.buf = new Uint8Array(n);
      this.view = new DataView(this.buf.buffer);
    }
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
    this.written++;
  }
  u16le(v: number): void {
    this.room(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
    this.written += 2;
  }
  u32le(v: number): void {
    this.room(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
    this.written += 4;
  }
  u64le(v: bigint | number): void {
    this.room(8);
    this.view.setBigUint64(this.pos, BigInt(v), true);
    this.pos += 8;
    this.written += 8;
  }
  u16be(v: number): void {
    this.room(2);
    this.view.setUint16(this.pos, v, false);
    this.pos += 2;
    this.written += 2;
  }
  u32be(v: number): void {
    this.room(4);
    this.view.setUint32(this.pos, v, false);
    this.pos += 4;
    this.written += 4;
  }
  u64be(v: bigint): void {
    this.room(8);
    this.view.setBigUint64(this.pos, v, false);
    this.pos += 8;
    this.written += 8;
  }
  bytes(b: Uint8Array): void {
    if (b.length >= CHUNK / 4) {
      this.flush();
      this.sink(b);
    } else {
      this.room(b.length);
      this.buf.set(b, this.pos);
      this.pos += b.length;
    }
    this.written += b.length;
  }
  zeros(n: number): void {
    this.room(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    this.written += n;
  }

  flush(): void {
    if (this.pos === 0) return;
    this.sink(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }
}

/** Where a reader takes its bytes: exactly `n` of them, or fewer at the end of the stream. */
export type ByteSource = (n: number) => Uint8Array;

export function memorySource(data: Uint8Array): ByteSource {
  let at = 0;
  return (n) => {
    const out = data.subarray(at, Math.min(data.length, at + n));
    at += out.length;
    return out;
  };
}

export class ByteReader {
  /** Bytes consumed so far (the offset errors name). */
  offset = 0;

  constructor(private readonly source: ByteSource) {}

  /** Exactly n bytes, or a stream error naming what was being read. */
  exact(n: number, what: string): Uint8Array {
    const b = this.source(n);
    if (b.length !== n) throw streamError(`truncated stream: ${what} needs ${n} bytes, only ${b.length} left`, this.offset);
    this.offset += n;
    return b;
  }

  /** A view for fixed-size fields. */
  fields(n: number, what: string): DataView {
    const b = this.exact(n, what);
    return new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
}
