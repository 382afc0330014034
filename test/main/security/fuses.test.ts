// Electron security checklist item 19: the fuses in fuses.ts and electron-builder.yml agree.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ELECTRON_FUSES, FUSE_V1_NAMES } from '../../../main/security/fuses';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };

describe('electron fuses', () => {
  it('turns every escape hatch off and integrity on', () => {
    expect(ELECTRON_FUSES).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(Object.isFrozen(ELECTRON_FUSES)).toBe(true);
  });

  it('matches electronFuses in electron-builder.yml exactly', () => {
    const config = yaml.load(readFileSync(new URL('../../../electron-builder.yml', import.meta.url), 'utf8')) as {
      electronFuses?: unknown;
    };
    expect(config.electronFuses).toEqual({ ...ELECTRON_FUSES });
  });

  it('names every fuse in @electron/fuses terms', () => {
    expect(Object.keys(FUSE_V1_NAMES).sort()).toEqual(Object.keys(ELECTRON_FUSES).sort());
  });
});
