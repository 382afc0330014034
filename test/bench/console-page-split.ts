/**
 * `node --import tsx test/bench/console-page-split.ts DIR`: where the page's main thread
 * went during the console bench's floods, from the Chromium traces that
 * `CONSOLE_BENCH_PAGE_PROFILE=DIR npm run bench -- console` writes. Each task of the
 * renderer's main thread counts its thread CPU time (the trace's `tdur`, so time the
 * thread waited for a core does not count) under what it ran:
 * - xterm write slice: a timer task (xterm.js's WriteBuffer parses written data in
 *   setTimeout slices: InputHandler, the buffer, scrolling);
 * - websocket message: a message's arrival (Chromium's receive, and with
 *   CONSOLE_BENCH_DRIVER=playwright the DevTools Network domain copying it into a CDP
 *   event, which the default cdp driver does not enable) and our onmessage, which hands
 *   the bytes to xterm;
 * - frame: xterm's requestAnimationFrame render and Chromium's style, layout, paint;
 * - GC, and other (Chromium's own small tasks).
 * Prints `key: value` lines, as a bench does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

const KINDS = ['xterm write slice', 'websocket message', 'frame', 'GC', 'other'] as const;
type Kind = (typeof KINDS)[number];
const FRAME = new Set(['FireAnimationFrame', 'UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Commit', 'Layerize']);

function kindOf(inside: Set<string>): Kind {
  if (inside.has('WebSocketReceive')) return 'websocket message';
  if (inside.has('TimerFire')) return 'xterm write slice';
  if ([...inside].some((n) => FRAME.has(n))) return 'frame';
  if (inside.has('MinorGC') || inside.has('MajorGC') || [...inside].some((n) => n.startsWith('V8.GC'))) return 'GC';
  return 'other';
}

function split(file: string): { cpuMs: Record<Kind, number>; frames: number } {
  const events = (JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  // The page's renderer: the CrRendererMain thread with the most tasks.
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const on = (t: TraceEvent) => (e: TraceEvent) => e.pid === t.pid && e.tid === t.tid;
  const main = mains.map((t) => events.filter(on(t))).sort((a, b) => b.length - a.length)[0] ?? [];
  const timed = main.filter((e) => e.ph === 'X' || e.ph === 'I' || e.ph === 'i').sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const cpuMs = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  let frames = 0;
  for (let i = 0; i < timed.length; ) {
    const task = timed[i]!;
    const end = task.ts + (task.dur ?? 0);
    const inside = new Set<string>();
    let j = i + 1;
    for (; j < timed.length && timed[j]!.ts <= end; j++) inside.add(timed[j]!.name);
    if (task.ph === 'X' && !inside.has('CpuProfiler::StartProfiling')) {
      cpuMs[kindOf(inside)] += (task.tdur ?? task.dur ?? 0) / 1000;
      if (inside.has('Commit')) frames++;
    }
    i = j;
  }
  return { cpuMs, frames };
}

const dir = process.argv[2];
if (!dir) {
  console.error('usage: console-page-split.ts DIR (the CONSOLE_BENCH_PAGE_PROFILE folder)');
  process.exit(2);
}
for (const label of ['log_lines', 'short_lines']) {
  const file = join(dir, `${label}.trace.json`);
  if (!existsSync(file)) continue;
  const { cpuMs, frames } = split(file);
  const total = KINDS.reduce((a, k) => a + cpuMs[k], 0);
  console.log(`${label}_page_main_thread_cpu_ms: ${total.toFixed(0)} (frames ${frames})`);
  for (const k of KINDS) console.log(`${label}_${k.replace(/ /g, '_')}: ${cpuMs[k].toFixed(0)} ms, ${((100 * cpuMs[k]) / total).toFixed(1)}%`);
}
