// Electron security checklist items 2-4, 6, 8-10, 12: the window options, checked without Electron.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mainWindowOptions, secureWebPreferences } from '../../../main/security/window-options';

describe('mainWindowOptions', () => {
  const options = mainWindowOptions('/app/out/preload/index.cjs');
  const web = options.webPreferences ?? {};

  it('isolates and sandboxes the renderer, with no Node.js anywhere', () => {
    expect(web.contextIsolation).toBe(true);
    expect(web.sandbox).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and risky features off', () => {
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.experimentalFeatures).toBe(false);
    expect(web.webviewTag).toBe(false);
    expect(web.spellcheck).toBe(false);
    expect(web.navigateOnDragDrop).toBe(false);
    expect(web.disableBlinkFeatures).toBe('Auxclick');
    expect(web).not.toHaveProperty('enableBlinkFeatures');
    expect(web).not.toHaveProperty('additionalArguments');
  });

  it('uses the given preload and no other script entry point', () => {
    expect(web.preload).toBe('/app/out/preload/index.cjs');
  });

  it('is titled XenDeck, hidden until ready, with a background and a minimum size', () => {
    expect(options.title).toBe('XenDeck');
    expect(options.show).toBe(false);
    expect(options.backgroundColor).toMatch(/^#[0-9a-f]{6}$/i);
    expect(options.minWidth).toBeGreaterThanOrEqual(800);
    expect(options.minHeight).toBeGreaterThanOrEqual(600);
    expect(options.width).toBeGreaterThanOrEqual(options.minWidth ?? 0);
    expect(options.height).toBeGreaterThanOrEqual(options.minHeight ?? 0);
  });

  it('returns a fresh object each time, so a caller cannot weaken the next window', () => {
    const a = secureWebPreferences('/p');
    a.sandbox = false;
    expect(secureWebPreferences('/p').sandbox).toBe(true);
  });

});

describe('main/security without Electron', () => {
  const dir = fileURLToPath(new URL('../../../main/security/', import.meta.url));

  it("imports 'electron' only as types", () => {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(dir + file, 'utf8');
      const electronImports = source.match(/^\s*(?:import|export)\b[^;]*?from\s+['"]electron['"]/gm) ?? [];
      for (const line of electronImports) expect(line.trim(), file).toMatch(/^import type /);
      expect(source, file).not.toMatch(/require\(\s*['"]electron['"]\s*\)|import\(\s*['"]electron['"]\s*\)/);
    }
  });

  it('loads in plain Node', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '-e', "import('./main/security/index.ts').then((m) => console.log(typeof m.mainWindowOptions, m.mainWindowOptions('/p').webPreferences.sandbox))"],
      { cwd: root, encoding: 'utf8', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function true');
    expect(r.status).toBe(0);
  });
});
