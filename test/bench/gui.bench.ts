/**
 * `npm run bench -- gui`: the served console in Debian's Chromium against a 4095-pCPU
 * embedded host running 10,000 domains (issue 8 targets): the dashboard's first render
 * after page load (target at most 1 s), and frame times while scrolling the 10,000-row
 * domain list with updates arriving every second (target: frames under 16 ms), and input
 * on a domain's page while its live charts update (charts never block input).
 * Needs the built renderer (`npm run build`) and /usr/bin/chromium.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { chromium } from 'playwright-core';
import { startConsoleServer } from '../../main/serve/console-server';
import { LabStore } from '../../main/services/lab-store';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/browser';

const DOMAINS = Number(process.env.GUI_BENCH_DOMAINS ?? 10_000);
const rendererDir = join(process.cwd(), 'out/renderer');
if (!existsSync(join(rendererDir, 'index.html'))) {
  console.error('gui bench: the renderer is not built; run `npm run build` first');
  process.exit(1);
}
if (!existsSync(CHROMIUM)) {
  console.error(`gui bench: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'xendeck-guibench-'));
new LabStore(join(dir, 'lab')).save([{ id: 'big', kind: 'embedded', preset: 'x2apic-4095', seed: 1 }]);
const server = await startConsoleServer({ host: '127.0.0.1', port: 0, allowRemote: false, token: undefined, seed: 1, labDir: join(dir, 'lab'), socketPath: null, rendererDir }, 'bench');
const host = server.lab.host('big');
const t0 = performance.now();
for (let i = 1; i <= DOMAINS; i++) await host.createDomain({ configText: `name = "vm${String(i).padStart(5, '0')}"\nmemory = 64\ntype = "pvh"\n` });
console.log(`domains_created: ${DOMAINS}`);
console.log(`create_s: ${((performance.now() - t0) / 1000).toFixed(2)}`);
const rssMb = (): string => {
  const m = process.memoryUsage();
  const mb = (b: number): string => (b / 2 ** 20).toFixed(0);
  return `${mb(m.rss)} (heap ${mb(m.heapUsed)}, array buffers ${mb(m.arrayBuffers)}, external ${mb(m.external)})`;
};
console.log(`serve_rss_mb_after_create: ${rssMb()}`);
// The toolstack's xenstore writes (each domain's layout, one transaction) are queued to the
// host's xenstored and drain after createDomain returned: when the queue emptied, measured
// without waiting for it (the page loads and scrolls while it drains, as a user's would).
const tCreated = performance.now();
let xenstoreDrainedS: number | undefined;
const hostXenstore = (host as { xenstore?: { settled(): Promise<void> } }).xenstore;
void hostXenstore?.settled().then(() => (xenstoreDrainedS = (performance.now() - tCreated) / 1000));
// GUI_BENCH_PROF=DIR: a CPU profile of the serve process (this one) from page load to the
// end of the scroll; GUI_BENCH_HEAP=1 also writes a heap snapshot there after the domains were created.
const profDir = process.env.GUI_BENCH_PROF;
const inspector = profDir ? new Session() : undefined;
if (profDir && process.env.GUI_BENCH_HEAP) writeHeapSnapshot(join(profDir, 'serve.heapsnapshot'));
if (inspector) {
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.setSamplingInterval', { interval: 500 });
  await inspector.post('Profiler.start');
}

const context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1440, height: 900 } });
const page = context.pages()[0] ?? (await context.newPage());
// First render: the time in the page's own clock (ms since navigation start) when the
// element is there; Playwright's wait adds a CDP round trip, so this is an upper bound.
const pageNow = (): Promise<number> => page.evaluate('performance.now()') as Promise<number>;
const loadCdp = profDir ? await context.newCDPSession(page) : undefined;
if (loadCdp) {
  await loadCdp.send('Profiler.enable');
  await loadCdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await loadCdp.send('Profiler.start');
}
// The same moment seen from inside the page: when the first host card entered the DOM (a
// MutationObserver installed before the page's scripts), without the round trips Playwright
// makes through this process, which is also the busy console server.
await page.addInitScript(`new MutationObserver((_, o) => {
  if (document.querySelector('[data-test=host-card]')) { window.__hostCardAt = performance.now(); o.disconnect(); }
}).observe(document, { childList: true, subtree: true })`);
await page.goto(server.url);
await page.waitForSelector('[data-test=host-card]', { timeout: 60_000 });
console.log(`dashboard_first_render_ms: ${(await pageNow()).toFixed(0)}`);
console.log(`dashboard_first_render_in_page_ms: ${Number(await page.evaluate('window.__hostCardAt')).toFixed(0)} (when the card entered the DOM, by the page's clock)`);
if (loadCdp && profDir) {
  writeFileSync(join(profDir, 'renderer-load.cpuprofile'), JSON.stringify((await loadCdp.send('Profiler.stop')).profile));
  // where the page's first second went: its document, scripts and the first paint
  const marks = (await page.evaluate(`JSON.stringify([...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource'), ...performance.getEntriesByType('paint')].map((e) => [e.name.replace(/^.*\\//, ''), Math.round(e.startTime), Math.round(e.responseEnd ?? e.startTime)]))`)) as string;
  console.log(`page_load_entries: ${marks}`);
}
await page.waitForSelector('[data-test=heat-map] canvas', { timeout: 60_000 });
console.log(`dashboard_heatmap_ms: ${(await pageNow()).toFixed(0)} (4095 pCPUs)`);

await page.getByRole('link', { name: 'Domains' }).click();
const tList = Date.now();
await page.locator('[data-test=domain-count]').filter({ hasText: `${DOMAINS + 1} of ${DOMAINS + 1}` }).waitFor({ timeout: 60_000 });
console.log(`domain_list_ready_ms: ${Date.now() - tList}`);

// Changes arriving while scrolling: a domain paused and unpaused every 100 ms, plus the 1 Hz stats.
let flip = 0;
const churn = setInterval(() => {
  if (process.env.GUI_BENCH_NO_CHURN) return;
  const id = 1 + (flip++ % 50);
  void (flip % 2 ? host.pause(id) : host.unpause(id)).catch(() => undefined);
}, 100);

// In the page: scroll the list a screenful per frame for 5 s, recording frame-to-frame times and long tasks.
const SCROLL_IN_PAGE = `(async () => {
  const el = document.querySelector('.body[tabindex="0"]');
  const deltas = [];
  const longTasks = [];
  let last = performance.now();
  const po = new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push(e.duration)));
  try { po.observe({ type: 'longtask', buffered: false }); } catch {}
  const end = performance.now() + 5000;
  await new Promise((resolve) => {
    const step = (t) => {
      deltas.push(t - last);
      last = t;
      el.scrollTop += 240;
      if (el.scrollTop + el.clientHeight >= el.scrollHeight) el.scrollTop = 0;
      if (t < end) requestAnimationFrame(step); else resolve();
    };
    requestAnimationFrame(step);
  });
  po.disconnect();
  return { deltas: deltas.slice(1), longTasks };
})()`;
// GUI_BENCH_PROF: the page's own CPU profile of the scroll too (renderer.cpuprofile)
const cdp = profDir ? await context.newCDPSession(page) : undefined;
if (cdp) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
}
// GUI_BENCH_TRACE=DIR: a Chromium performance trace of the scroll (trace.json, open it in
// DevTools' Performance panel) — what ran in the frames that came late
const tracer = process.env.GUI_BENCH_TRACE ? await context.newCDPSession(page) : undefined;
if (tracer) await tracer.send('Tracing.start', { transferMode: 'ReturnAsStream', traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame', 'blink.user_timing', 'v8.execute', 'toplevel', 'disabled-by-default-v8.cpu_profiler'] } });
const frames = (await page.evaluate(SCROLL_IN_PAGE)) as { deltas: number[]; longTasks: number[] };
if (tracer && process.env.GUI_BENCH_TRACE) {
  const done = new Promise<string>((resolve) => tracer.once('Tracing.tracingComplete', (e) => resolve(e.stream ?? '')));
  await tracer.send('Tracing.end');
  const handle = await done;
  const chunks: string[] = [];
  for (;;) {
    const r = await tracer.send('IO.read', { handle });
    chunks.push(r.base64Encoded ? Buffer.from(r.data, 'base64').toString() : r.data);
    if (r.eof) break;
  }
  await tracer.send('IO.close', { handle });
  writeFileSync(join(process.env.GUI_BENCH_TRACE, 'trace.json'), chunks.join(''));
}
if (cdp && profDir) writeFileSync(join(profDir, 'renderer.cpuprofile'), JSON.stringify((await cdp.send('Profiler.stop')).profile));
clearInterval(churn);
console.log(`serve_rss_mb_after_scroll: ${rssMb()}`);
if (inspector && profDir) {
  const { profile } = await inspector.post('Profiler.stop');
  writeFileSync(join(profDir, 'serve.cpuprofile'), JSON.stringify(profile));
  inspector.disconnect();
}

const sorted = [...frames.deltas].sort((a, b) => a - b);
const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
console.log(`scroll_frames: ${sorted.length}`);
console.log(`scroll_frame_ms_p50: ${q(0.5).toFixed(1)}`);
console.log(`scroll_frame_ms_p95: ${q(0.95).toFixed(1)}`);
console.log(`scroll_frame_ms_max: ${q(1).toFixed(1)}`);
console.log(`scroll_frames_over_16ms_pct: ${((sorted.filter((d) => d > 16.7).length / Math.max(1, sorted.length)) * 100).toFixed(1)} (a frame of 16.8 ms is vsync jitter, not a missed frame)`);
// A frame-to-frame time above 1.5 vsyncs means at least one frame was not drawn in time.
console.log(`scroll_frames_missed_pct: ${((sorted.filter((d) => d > 25).length / Math.max(1, sorted.length)) * 100).toFixed(1)}`);
console.log(`long_tasks: ${frames.longTasks.length} (max ${Math.max(0, ...frames.longTasks).toFixed(0)} ms)`);
console.log(`xenstore_backlog_drained_s: ${xenstoreDrainedS === undefined ? `not yet (${((performance.now() - tCreated) / 1000).toFixed(1)} s after the creates, at the end of the scroll)` : `${xenstoreDrainedS.toFixed(1)} after the creates`}`);

// Charts never block input: a domain's page with its live uPlot charts (1 Hz), typing into
// its weight field for about 5 s; per keystroke, from the key event's timestamp to its
// handler (input delay) and to the start of the next frame (when it can be drawn).
await page.evaluate(`document.querySelector('.body[tabindex="0"]').scrollTop = 0`);
await page.getByRole('link', { name: 'vm00001', exact: true }).click();
await page.waitForURL(/\/domains\/1$/);
await page.locator('[data-test=domain-charts] canvas').nth(2).waitFor({ timeout: 30_000 });
await page.locator('[data-test=domain-charts] > p').filter({ hasText: '% CPU' }).waitFor({ timeout: 30_000 });
await page.evaluate(`(() => {
  window.__keys = [];
  window.__chartLong = [];
  window.__chartPo = new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__chartLong.push(e.duration)));
  try { window.__chartPo.observe({ type: 'longtask', buffered: false }); } catch {}
  document.addEventListener('keydown', (e) => {
    const delay = performance.now() - e.timeStamp;
    requestAnimationFrame((t) => window.__keys.push([delay, t - e.timeStamp]));
  }, true);
})()`);
await page.getByLabel('weight').click();
const CHART_KEYS = 120;
for (let i = 0; i < CHART_KEYS; i++) {
  await page.keyboard.press(i % 4 === 3 ? 'Backspace' : String(i % 10));
  await new Promise((r) => setTimeout(r, 30));
}
await page.waitForFunction(`window.__keys.length >= ${CHART_KEYS}`);
const keys = (await page.evaluate('window.__keys')) as [number, number][];
const chartLong = (await page.evaluate('(window.__chartPo.disconnect(), window.__chartLong)')) as number[];
const pq = (xs: number[], p: number): string => {
  const v = [...xs].sort((a, b) => a - b);
  return (v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)] ?? 0).toFixed(1);
};
console.log(`chart_keystrokes: ${keys.length} (domain page, 3 live uPlot charts at 1 Hz, typed over ${((CHART_KEYS * 30) / 1000).toFixed(1)} s or more)`);
console.log(`chart_input_delay_ms_p50_p99_max: ${pq(keys.map((k) => k[0]), 0.5)} / ${pq(keys.map((k) => k[0]), 0.99)} / ${pq(keys.map((k) => k[0]), 1)} (key event to its handler)`);
console.log(`chart_key_to_frame_ms_p50_p99_max: ${pq(keys.map((k) => k[1]), 0.5)} / ${pq(keys.map((k) => k[1]), 0.99)} / ${pq(keys.map((k) => k[1]), 1)} (key event to the next frame)`);
console.log(`chart_long_tasks: ${chartLong.length} (max ${Math.max(0, ...chartLong).toFixed(0)} ms)`);

await context.close();
await server.close();
rmSync(dir, { recursive: true, force: true });
