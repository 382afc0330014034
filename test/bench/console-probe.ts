/**
 * What the console bench counts and times inside the page, the same for either driver
 * (./bench-page.ts), on the page's clock: a script run in every document before the
 * page's own (so it wraps the WebSocket the page's link opens). Per message, one listener:
 * - the console stream's bytes: a batch's items — a byte batch (a binary frame, the
 *   console: main/api/byte-batch.ts) is its envelope line, a line feed, then the items'
 *   bytes, so they are the frame's length past the first line feed; a JSON text batch
 *   counts its text items' UTF-8 bytes — and the `dropped` its envelope reports;
 * - the first and last batch's arrival (the flood's frame window);
 * - every message's arrival (to split the echo latency) and, for the first batch after
 *   the page sent a `console.input` request, the time since that send (the echo's round
 *   trip through the server);
 * - each keydown's time (the Enter that starts a flood).
 * Not the DevTools Network domain: that copies every message into a debugger event on
 * the page's main thread, which a user's browser does not do.
 */
export const PROBE_JS = `(() => {
  const probe = { bytes: 0, dropped: 0, batches: 0, first: 0, last: 0, recv: [], sentAt: 0, wire: [], keyAt: 0 };
  window.__probe = probe;
  const utf8 = new TextEncoder();
  const text = new TextDecoder();
  document.addEventListener('keydown', () => { probe.keyAt = performance.now(); }, true);
  const W = window.WebSocket;
  window.WebSocket = class extends W {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (ev) => {
        const t = performance.now();
        probe.recv.push(t);
        let head;
        if (typeof ev.data === 'string') {
          if (!ev.data.startsWith('{"t":"batch"')) return;
          head = JSON.parse(ev.data);
          for (const it of head.items) if (typeof it === 'string') probe.bytes += utf8.encode(it).length;
        } else {
          const b = new Uint8Array(ev.data);
          const nl = b.indexOf(10);
          head = JSON.parse(text.decode(b.subarray(0, nl)));
          if (head.t !== 'batch') return;
          probe.bytes += b.length - nl - 1;
        }
        probe.batches++;
        probe.dropped += head.dropped ?? 0;
        if (probe.sentAt) { probe.wire.push(t - probe.sentAt); probe.sentAt = 0; }
        probe.first ||= t;
        probe.last = t;
      });
    }
    send(data) {
      if (typeof data === 'string' && data.includes('"console.input"')) probe.sentAt = performance.now();
      super.send(data);
    }
  };
})()`;

/** What the probe has counted (window.__probe). */
export interface Probe {
  bytes: number;
  dropped: number;
  batches: number;
  first: number;
  last: number;
  recv: number[];
  wire: number[];
  keyAt: number;
}

/** Starts the probe's counts afresh (before a flood). */
export const PROBE_RESET_JS = `Object.assign(window.__probe, { bytes: 0, dropped: 0, batches: 0, first: 0, last: 0, recv: [], sentAt: 0, wire: [] })`;

/** The probe's counts without its arrival times (a flood's may be many). */
export const PROBE_COUNTS_JS = `(() => { const { recv, ...rest } = window.__probe; return { ...rest, recv: [] }; })()`;
