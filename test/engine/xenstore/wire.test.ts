import { describe, expect, it } from 'vitest';
import { FrameDecoder, HEADER_SIZE, WireError, XsType, encode, joinStrings, splitStrings } from '../../../engine/xenstore/wire';

describe('xenstore wire format', () => {
  it('has the message type numbers of xs_wire.h', () => {
    expect(XsType).toMatchObject({
      CONTROL: 0, DIRECTORY: 1, READ: 2, GET_PERMS: 3, WATCH: 4, UNWATCH: 5, TRANSACTION_START: 6,
      TRANSACTION_END: 7, INTRODUCE: 8, RELEASE: 9, GET_DOMAIN_PATH: 10, WRITE: 11, MKDIR: 12, RM: 13,
      SET_PERMS: 14, WATCH_EVENT: 15, ERROR: 16, IS_DOMAIN_INTRODUCED: 17, RESUME: 18, SET_TARGET: 19,
      RESET_WATCHES: 21, DIRECTORY_PART: 22, INVALID: 0xffff,
    });
  });

  it('encodes the 16-byte little-endian header {type, req_id, tx_id, len}', () => {
    const f = encode(XsType.READ, 0x01020304, 9, 'ab\0');
    expect(f.length).toBe(HEADER_SIZE + 3);
    expect([...f.subarray(0, 16)]).toEqual([2, 0, 0, 0, 4, 3, 2, 1, 9, 0, 0, 0, 3, 0, 0, 0]);
    expect(f.subarray(16).toString('latin1')).toBe('ab\0');
  });

  it('reassembles messages split at any byte and several per chunk', () => {
    const stream = Buffer.concat([encode(1, 1, 0, 'x\0'), encode(2, 2, 3, Buffer.alloc(4096, 1)), encode(13, 3, 0, '')]);
    for (const step of [1, 5, 16, 17, 1000, stream.length]) {
      const d = new FrameDecoder();
      const got = [];
      for (let i = 0; i < stream.length; i += step) got.push(...d.push(stream.subarray(i, i + step)));
      expect(got.map((m) => [m.type, m.reqId, m.txId, m.payload.length])).toEqual([
        [1, 1, 0, 2],
        [2, 2, 3, 4096],
        [13, 3, 0, 0],
      ]);
      expect(d.pending).toBe(0);
    }
  });

  it('rejects a payload length over 4096 as soon as the header is in', () => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(2, 0);
    h.writeUInt32LE(4097, 12);
    expect(() => new FrameDecoder().push(h)).toThrow(WireError);
    expect(() => encode(2, 0, 0, Buffer.alloc(4097))).toThrow(WireError);
  });

  it('splits and joins NUL-terminated strings', () => {
    expect(splitStrings(Buffer.from('a\0bc\0', 'latin1'))).toEqual(['a', 'bc']);
    expect(splitStrings(Buffer.from('a\0\0', 'latin1'))).toEqual(['a', '']);
    expect(joinStrings(['x', 'y']).toString('latin1')).toBe('x\0y\0');
  });
});
