/**
 * Starts the served console in-process and Debian's Chromium with the flags this machine
 * needs (no sandbox inside a container, no GPU, no background network), in a fresh
 * profile directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { startConsoleServer, type ConsoleServer } from '../../main/serve/console-server';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface E2eEnv {
  server: ConsoleServer;
  context: BrowserContext;
  page: Page;
  /** Browser console errors and CSP violations seen so far. */
  problems: string[];
  close(): Promise<void>;
}

export async function startE2e(): Promise<E2eEnv> {
  const profile = mkdtempSync(join(tmpdir(), 'xendeck-e2e-'));
  const server = await startConsoleServer(
    { host: '127.0.0.1', port: 0, allowRemote: false, token: undefined, seed: 1, labDir: join(profile, 'lab'), socketPath: null, rendererDir: join(process.cwd(), 'out/renderer') },
    'e2e',
  );
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1440, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && r.status() !== 401) problems.push(`http ${r.status()}: ${r.url()}`);
  });
  return {
    server,
    context,
    page,
    problems,
    async close() {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * For a describe block: a served console opened on its dashboard in Chromium before the
 * tests (after `prepare` set the lab up), closed after them, and a check at the end that
 * the page logged no error, no failed request and no CSP violation.
 */
export function openConsole(prepare?: (env: E2eEnv) => Promise<void>): { readonly env: E2eEnv } {
  let env: E2eEnv | undefined;
  beforeAll(async () => {
    env = await startE2e();
    await prepare?.(env);
    await env.page.goto(env.server.url);
    await env.page.waitForURL(/\/dashboard$/);
  });
  afterAll(async () => {
    const problems = env?.problems ?? [];
    await env?.close();
    expect(problems, 'the page logged errors').toEqual([]);
  });
  return {
    get env(): E2eEnv {
      if (!env) throw new Error('the console is not open yet');
      return env;
    },
  };
}

/** The text on the visible xterm screen, row by row (trailing blanks trimmed). */
export async function xtermScreen(page: Page): Promise<string> {
  const rows = await page.locator('[role=tabpanel]:visible .xterm-rows > div').allTextContents();
  return rows.map((r) => r.replace(/\u00a0/g, ' ').trimEnd()).join('\n');
}
