import { describe, expect, it } from 'vitest';
import { decodeByteBatch, encodeByteBatch } from '../../../main/api/byte-batch';

describe('a byte-stream batch as one binary frame', () => {
  it('carries the envelope and the items joined as UTF-8, split characters and all', () => {
    const frame = encodeByteBatch({ t: 'batch', id: 7, seq: 3, items: ['root@web1:~# ', 'ls\r\n', 'é€😀\n{"t":1}'] });
    const m = decodeByteBatch(frame);
    expect(m).toMatchObject({ t: 'batch', id: 7, seq: 3 });
    expect(m.dropped).toBeUndefined();
    expect(m.items).toHaveLength(1);
    const bytes = m.items[0] as Uint8Array;
    expect(new TextDecoder().decode(bytes)).toBe('root@web1:~# ls\r\né€😀\n{"t":1}');
    expect(bytes.length).toBe(Buffer.byteLength('root@web1:~# ls\r\né€😀\n{"t":1}'));
  });

  it('keeps a dropped count and an empty batch', () => {
    const m = decodeByteBatch(encodeByteBatch({ t: 'batch', id: 1, seq: 0, items: [], dropped: 12 }));
    expect(m).toMatchObject({ t: 'batch', id: 1, seq: 0, dropped: 12 });
    expect((m.items[0] as Uint8Array).length).toBe(0);
  });

  it('refuses a frame without its envelope line or with another envelope', () => {
    const enc = new TextEncoder();
    expect(() => decodeByteBatch(enc.encode('no envelope here'))).toThrow(SyntaxError);
    expect(() => decodeByteBatch(enc.encode('{"t":"res","id":1}\nxyz'))).toThrow(/malformed envelope/);
    expect(() => decodeByteBatch(enc.encode('{"t":"batch","id":"1","seq":0}\nxyz'))).toThrow(/malformed envelope/);
  });
});
