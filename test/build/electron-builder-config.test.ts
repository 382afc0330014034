// electron-builder.yml, validated by electron-builder's own validateConfiguration()
// (app-builder-lib/out/util/config/config.js against its scheme.json), so a typo
// fails here instead of at `npm run dist` time.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Configuration } from 'app-builder-lib';
import { ELECTRON_FUSES } from '../../main/security/fuses';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: Configuration, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled?: boolean) => unknown };

const root = fileURLToPath(new URL('../../', import.meta.url));
const config = yaml.load(readFileSync(`${root}electron-builder.yml`, 'utf8')) as Configuration;

interface TargetList {
  target?: unknown;
}
function targetsOf(platform: unknown): string[] {
  const raw = (platform as TargetList | undefined)?.target;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.map((t: unknown) => (typeof t === 'string' ? t : String((t as { target: string }).target)));
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own configuration validation", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('is rejected by the same validation when it has an unknown key (the validator is live)', async () => {
    const topLevel = { ...config, productNmae: 'XenDeck' } as Configuration;
    await expect(validateConfiguration(topLevel, new DebugLogger(false))).rejects.toThrow(/unknown property 'productNmae'/);
    const nested = { ...config, linux: { ...config.linux, categroy: 'System' } } as Configuration;
    await expect(validateConfiguration(nested, new DebugLogger(false))).rejects.toThrow(/configuration\.linux/);
    const fuses = { ...config, electronFuses: { ...config.electronFuses, runAsNode: 'no' } } as unknown as Configuration;
    await expect(validateConfiguration(fuses, new DebugLogger(false))).rejects.toThrow(/runAsNode/);
  });

  it('names the app', () => {
    expect(config.appId).toBe('org.xendeck.console');
    expect(config.productName).toBe('XenDeck');
    expect(config.directories?.output).toMatch(/^dist\/?$/);
    expect(config.asar).toBe(true);
    expect(config.files).toEqual(['out/**', 'package.json']);
  });

  it('builds AppImage, deb and rpm on Linux, nsis on Windows, dmg on macOS', () => {
    expect(targetsOf(config.linux).sort()).toEqual(['AppImage', 'deb', 'rpm']);
    expect(targetsOf(config.win)).toEqual(['nsis']);
    expect(targetsOf(config.mac)).toEqual(['dmg']);
    expect(config.linux?.category).toBe('System');
    expect(config.linux?.maintainer).toMatch(/<[^@\s]+@[^>\s]+>/);
    expect(config.mac?.category).toBe('public.app-category.developer-tools');
    expect(config.mac?.hardenedRuntime).toBe(true);
  });

  it('points at icon files that exist', () => {
    const linuxIcons = `${root}${config.linux?.icon ?? ''}`;
    expect(statSync(linuxIcons).isDirectory()).toBe(true);
    for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) expect(existsSync(`${linuxIcons}/${size}x${size}.png`)).toBe(true);
    expect(config.win?.icon).toBe('assets/icon.ico');
    expect(config.mac?.icon).toBe('assets/icon.icns');
    expect(existsSync(`${root}${config.win?.icon}`)).toBe(true);
    expect(existsSync(`${root}${config.mac?.icon}`)).toBe(true);
  });

  it('sets the fuses from main/security/fuses.ts', () => {
    expect(config.electronFuses).toEqual({ ...ELECTRON_FUSES });
  });
});
