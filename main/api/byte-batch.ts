/**
 * A batch of a byte-stream topic (a console) as one binary WebSocket frame: its envelope
 * as JSON without `items`, a line feed, then the UTF-8 bytes of its items joined. The
 * items of such a topic are pieces of one stream, so joining them loses nothing.
 *
 * Why: as JSON text a console flood cost the page more than xterm's own parse — Chromium
 * decodes and validates each text frame into a string, JSON.parse copies it again (with
 * its escapes) — about a third of the page's main thread in the console bench. A binary
 * frame arrives as an ArrayBuffer, and xterm.js takes the bytes as they are
 * (Terminal.write accepts a Uint8Array and decodes UTF-8 itself, keeping a character
 * split between two writes).
 *
 * JSON.stringify never writes a raw line feed, so the first 0x0a ends the envelope.
 */
import type { ServerMessage } from './envelope';

type Batch = Extract<ServerMessage, { t: 'batch' }>;

const LF = 0x0a;
const encoder = new TextEncoder();

/** The frame of a batch whose items are text. */
export function encodeByteBatch(m: Batch): Uint8Array {
  const head = JSON.stringify(m.dropped !== undefined ? { t: m.t, id: m.id, seq: m.seq, dropped: m.dropped } : { t: m.t, id: m.id, seq: m.seq });
  return encoder.encode(`${head}\n${(m.items as string[]).join('')}`);
}

/** A byte-batch frame back as a batch with one item: its bytes (a view, not a copy). */
export function decodeByteBatch(frame: Uint8Array): Batch {
  const nl = frame.indexOf(LF);
  if (nl < 0) throw new SyntaxError('byte batch without its envelope line');
  const head = JSON.parse(new TextDecoder().decode(frame.subarray(0, nl))) as Partial<Batch>;
  if (head.t !== 'batch' || typeof head.id !== 'number' || typeof head.seq !== 'number') throw new SyntaxError('byte batch with a malformed envelope');
  const m: Batch = { t: 'batch', id: head.id, seq: head.seq, items: [frame.subarray(nl + 1)] };
  if (typeof head.dropped === 'number') m.dropped = head.dropped;
  return m;
}
