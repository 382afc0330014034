/**
 * The console bench's page over a plain Chrome DevTools Protocol connection (the `ws`
 * package), the default driver: Debian's Chromium with the e2e flags
 * (../e2e/browser.ts), a fresh profile, and only the domains the bench uses — Page
 * (navigation, the init script), Runtime (evaluate), Input and Emulation (no enable) —
 * never Network, whose WebSocket frame events a user's browser does not pay for.
 * Tracing and Profiler only while a run is profiled (CONSOLE_BENCH_PAGE_PROFILE).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/browser';
import { TRACE_CATEGORIES, type BenchPage, type Viewport } from './bench-page';
import { keyDescription } from './cdp-keys';

type Params = Record<string, unknown>;
interface CdpMessage {
  id?: number;
  method?: string;
  params?: Params;
  sessionId?: string;
  result?: Params;
  error?: { code: number; message: string };
}

/** One DevTools connection: commands by id, events to listeners (browser-level and per session). */
class CdpConnection {
  private nextId = 1;
  private readonly pending = new Map<number, { ok: (r: Params) => void; fail: (e: Error) => void; method: string }>();
  private readonly listeners = new Set<(m: CdpMessage) => void>();

  constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as CdpMessage;
      if (m.id !== undefined) {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error) p?.fail(new Error(`${p.method}: ${m.error.message} (${m.error.code})`));
        else p?.ok(m.result ?? {});
      } else for (const l of this.listeners) l(m);
    });
    ws.on('close', () => {
      for (const p of this.pending.values()) p.fail(new Error(`${p.method}: the DevTools connection closed`));
      this.pending.clear();
    });
  }

  send<T = Params>(method: string, params: Params = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((ok, fail) => {
      this.pending.set(id, { ok: ok as (r: Params) => void, fail, method });
      this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  /** Calls `cb` with each event `method` of `sessionId` (undefined: browser-level); returns what stops it. */
  on(method: string, sessionId: string | undefined, cb: (params: Params) => void): () => void {
    const l = (m: CdpMessage): void => {
      if (m.method === method && m.sessionId === sessionId) cb(m.params ?? {});
    };
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** The next event `method` of `sessionId`. */
  once(method: string, sessionId: string | undefined): Promise<Params> {
    return new Promise((ok) => {
      const off = this.on(method, sessionId, (p) => {
        off();
        ok(p);
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Chromium with a DevTools port the kernel picks; resolves with its browser endpoint. */
function launchChromium(userDataDir: string, viewport: Viewport): Promise<{ proc: ChildProcess; endpoint: string }> {
  const args = [...CHROMIUM_ARGS, '--remote-debugging-port=0', `--user-data-dir=${userDataDir}`, `--window-size=${viewport.width},${viewport.height}`, 'about:blank'];
  const proc = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((ok, fail) => {
    let err = '';
    let listening = false;
    proc.stderr!.on('data', (d: Buffer) => {
      if (listening) return; // drained, so Chromium never blocks on a full pipe
      err += String(d);
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        listening = true;
        ok({ proc, endpoint: m[1]! });
      }
    });
    proc.once('error', fail);
    proc.once('exit', (code, signal) => fail(new Error(`${CHROMIUM} exited (${code ?? signal}) before DevTools listened: ${err.slice(-500)}`)));
  });
}

export async function openCdpPage(viewport: Viewport): Promise<BenchPage> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'xendeck-bench-chromium-'));
  const { proc, endpoint } = await launchChromium(userDataDir, viewport);
  const ws = new WebSocket(endpoint, { maxPayload: 1 << 30, perMessageDeflate: false });
  await new Promise<void>((ok, fail) => {
    ws.once('open', ok);
    ws.once('error', fail);
  });
  const cdp = new CdpConnection(ws);
  // The tab Chromium opened with about:blank (it may be listed a moment after DevTools listens).
  let targetId: string | undefined;
  for (let tries = 0; !targetId; tries++) {
    const { targetInfos } = await cdp.send<{ targetInfos: { targetId: string; type: string }[] }>('Target.getTargets');
    targetId = targetInfos.find((t) => t.type === 'page')?.targetId;
    if (!targetId && tries > 100) throw new Error('Chromium opened no page');
    if (!targetId) await new Promise((r) => setTimeout(r, 20));
  }
  const { sessionId } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
  const page = <T = Params>(method: string, params: Params = {}): Promise<T> => cdp.send<T>(method, params, sessionId);
  await page('Page.enable');
  await page('Runtime.enable');
  await page('Emulation.setDeviceMetricsOverride', { width: viewport.width, height: viewport.height, deviceScaleFactor: 1, mobile: false });
  // A headless tab has no window focus; Playwright turns focus emulation on so the
  // focused element gets focus events (xterm's textarea), and so do we.
  await page('Emulation.setFocusEmulationEnabled', { enabled: true });

  const key = async (type: 'keyDown' | 'keyUp', name: string, modifiers: number): Promise<void> => {
    const k = keyDescription(name);
    // With Control (or Alt) held a key inserts no text, as on a real keyboard.
    const text = type === 'keyDown' && (modifiers & 7) === 0 ? k.text : '';
    await page('Input.dispatchKeyEvent', { type: text ? 'keyDown' : type === 'keyDown' ? 'rawKeyDown' : 'keyUp', modifiers, key: k.key, code: k.code, windowsVirtualKeyCode: k.windowsVirtualKeyCode, text, unmodifiedText: text });
  };
  const MODIFIER_BITS: Record<string, number> = { Alt: 1, Control: 2, Meta: 4, Shift: 8 };
  let tracing: { events: unknown[]; off: () => void; file: string; cpuprofile: string } | undefined;

  const self: BenchPage = {
    driver: 'cdp',
    async addInitScript(js) {
      await page('Page.addScriptToEvaluateOnNewDocument', { source: js });
    },
    async goto(url) {
      const loaded = cdp.once('Page.loadEventFired', sessionId);
      const r = await page<{ errorText?: string }>('Page.navigate', { url });
      if (r.errorText) throw new Error(`navigating to ${url}: ${r.errorText}`);
      await loaded;
    },
    async evaluate<T>(js: string): Promise<T> {
      const r = await page<{ result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', { expression: js, returnByValue: true, awaitPromise: true });
      if (r.exceptionDetails) throw new Error(`evaluating ${js.slice(0, 120)}: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
      return r.result.value as T;
    },
    async click(selector) {
      const at = await self.evaluate<[number, number] | null>(`(() => { const e = document.querySelector(${JSON.stringify(selector)}); if (!e) return null; const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`);
      if (!at) throw new Error(`no element matches ${selector}`);
      const [x, y] = at;
      await page('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y });
      await page('Input.dispatchMouseEvent', { type: 'mousePressed', x, y, button: 'left', buttons: 1, clickCount: 1 });
      await page('Input.dispatchMouseEvent', { type: 'mouseReleased', x, y, button: 'left', buttons: 0, clickCount: 1 });
    },
    async press(combo) {
      // 'Control+u': the modifiers down, the key, the modifiers up (as Playwright's keyboard.press).
      const parts = combo.length > 1 && combo.includes('+') ? combo.split('+') : [combo];
      const name = parts.pop()!;
      let modifiers = 0;
      for (const m of parts) {
        if (!(m in MODIFIER_BITS)) throw new RangeError(`unknown modifier ${m} in ${combo}`);
        modifiers |= MODIFIER_BITS[m]!;
        await key('keyDown', m, modifiers);
      }
      await key('keyDown', name, modifiers);
      await key('keyUp', name, modifiers);
      for (const m of parts.reverse()) {
        modifiers &= ~MODIFIER_BITS[m]!;
        await key('keyUp', m, modifiers);
      }
    },
    async type(text) {
      for (const ch of text) await self.press(ch);
    },
    async startProfile(dir, label) {
      const events: unknown[] = [];
      const off = cdp.on('Tracing.dataCollected', undefined, (p) => events.push(...(p.value as unknown[])));
      await cdp.send('Tracing.start', { traceConfig: { includedCategories: TRACE_CATEGORIES }, transferMode: 'ReportEvents' });
      await page('Profiler.enable');
      await page('Profiler.setSamplingInterval', { interval: 100 });
      await page('Profiler.start');
      tracing = { events, off, file: join(dir, `${label}.trace.json`), cpuprofile: join(dir, `${label}.cpuprofile`) };
    },
    async stopProfile() {
      if (!tracing) return;
      const { profile } = await page<{ profile: unknown }>('Profiler.stop');
      await page('Profiler.disable');
      writeFileSync(tracing.cpuprofile, JSON.stringify(profile));
      const complete = cdp.once('Tracing.tracingComplete', undefined);
      await cdp.send('Tracing.end');
      await complete;
      tracing.off();
      writeFileSync(tracing.file, JSON.stringify({ traceEvents: tracing.events }));
      tracing = undefined;
    },
    async close() {
      const exited = new Promise((r) => (proc.exitCode !== null ? r(undefined) : proc.once('exit', r)));
      await cdp.send('Browser.close').catch(() => proc.kill('SIGKILL'));
      cdp.close();
      await exited;
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
  return self;
}
