/**
 * The console bench's page driven by Playwright (CONSOLE_BENCH_DRIVER=playwright), kept to
 * compare with the plain CDP driver: Playwright enables the DevTools Network domain on
 * every page, whose WebSocket frame events cost the page's main thread.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type CDPSession } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/browser';
import { TRACE_CATEGORIES, type BenchPage, type Viewport } from './bench-page';

export async function openPlaywrightPage(viewport: Viewport): Promise<BenchPage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const page = await browser.newPage({ viewport });
  let profiling: { cdp: CDPSession; file: string } | undefined;
  return {
    driver: 'playwright',
    addInitScript: async (js) => {
      await page.addInitScript(js);
    },
    goto: async (url) => {
      await page.goto(url);
    },
    evaluate: <T>(js: string) => page.evaluate(js) as Promise<T>,
    click: (selector) => page.locator(selector).first().click(),
    press: (key) => page.keyboard.press(key),
    type: (text) => page.keyboard.type(text),
    async startProfile(dir, label) {
      const cdp = await page.context().newCDPSession(page);
      await browser.startTracing(page, { path: join(dir, `${label}.trace.json`), categories: TRACE_CATEGORIES });
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
      profiling = { cdp, file: join(dir, `${label}.cpuprofile`) };
    },
    async stopProfile() {
      if (!profiling) return;
      const { profile } = await profiling.cdp.send('Profiler.stop');
      writeFileSync(profiling.file, JSON.stringify(profile));
      await browser.stopTracing();
      await profiling.cdp.detach();
      profiling = undefined;
    },
    close: () => browser.close(),
  };
}

