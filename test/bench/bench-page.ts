/**
 * What the console bench does with its browser page, whichever driver drives Chromium:
 * `cdp` (./cdp-page.ts: a plain DevTools connection with only the domains the bench needs,
 * as close to a user's browser as a driven one gets) or `playwright` (./playwright-page.ts:
 * Playwright keeps the Network domain on, so Chromium copies every WebSocket message into
 * a debugger event on the page's main thread). CONSOLE_BENCH_DRIVER picks one; cdp by
 * default.
 */
export type BenchDriver = 'cdp' | 'playwright';

export interface Viewport {
  width: number;
  height: number;
}

export interface BenchPage {
  readonly driver: BenchDriver;
  /** Runs `js` in every document the page opens from now on, before the page's own scripts. */
  addInitScript(js: string): Promise<void>;
  /** Navigates and resolves at the new document's load event. */
  goto(url: string): Promise<void>;
  /** The value of a page expression (a string, so the page's CSP does not govern it); a promise is awaited. */
  evaluate<T = unknown>(js: string): Promise<T>;
  /** A left click at the centre of the first element `selector` matches. */
  click(selector: string): Promise<void>;
  /** One keystroke: a character, 'Enter', or 'Control+x'. */
  press(key: string): Promise<void>;
  /** A keystroke per character. */
  type(text: string): Promise<void>;
  /** Starts the page's CPU profile and a Chromium trace, written as DIR/LABEL.{cpuprofile,trace.json} by stopProfile. */
  startProfile(dir: string, label: string): Promise<void>;
  stopProfile(): Promise<void>;
  close(): Promise<void>;
}

/** What ./console-page-split.ts reads from a profiled run's trace: the timeline's tasks, V8 and its GC. */
export const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'disabled-by-default-v8.gc'];

export function benchDriver(name = process.env.CONSOLE_BENCH_DRIVER ?? 'cdp'): BenchDriver {
  if (name === 'cdp' || name === 'playwright') return name;
  throw new RangeError(`CONSOLE_BENCH_DRIVER=${name}: expected cdp or playwright`);
}

export async function openBenchPage(driver: BenchDriver, viewport: Viewport): Promise<BenchPage> {
  if (driver === 'cdp') return (await import('./cdp-page')).openCdpPage(viewport);
  return (await import('./playwright-page')).openPlaywrightPage(viewport);
}
