// Electron fuses for packaged builds, as electron-builder's `electronFuses` keys.
//
// Electron security checklist item 19 ("check which fuses you can change") and
// docs/tutorial/fuses.md. Fuses are flipped in the binary at package time, so a
// packaged XenDeck cannot be turned into a generic Node runtime
// (ELECTRON_RUN_AS_NODE, NODE_OPTIONS, --inspect) or made to load code from
// outside its integrity-checked app.asar. electron-builder.yml repeats this
// object under `electronFuses`; test/main/security/fuses.test.ts keeps the two equal.

export interface XenDeckFuses {
  readonly runAsNode: boolean;
  readonly enableCookieEncryption: boolean;
  readonly enableNodeOptionsEnvironmentVariable: boolean;
  readonly enableNodeCliInspectArguments: boolean;
  readonly enableEmbeddedAsarIntegrityValidation: boolean;
  readonly onlyLoadAppFromAsar: boolean;
  readonly loadBrowserProcessSpecificV8Snapshot: boolean;
  readonly grantFileProtocolExtraPrivileges: boolean;
}

export const ELECTRON_FUSES: XenDeckFuses = Object.freeze({
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
});

/** The same settings under @electron/fuses' FuseV1Options names, for readers of fuses.md. */
export const FUSE_V1_NAMES: Readonly<Record<keyof XenDeckFuses, string>> = Object.freeze({
  runAsNode: 'RunAsNode',
  enableCookieEncryption: 'EnableCookieEncryption',
  enableNodeOptionsEnvironmentVariable: 'EnableNodeOptionsEnvironmentVariable',
  enableNodeCliInspectArguments: 'EnableNodeCliInspectArguments',
  enableEmbeddedAsarIntegrityValidation: 'EnableEmbeddedAsarIntegrityValidation',
  onlyLoadAppFromAsar: 'OnlyLoadAppFromAsar',
  loadBrowserProcessSpecificV8Snapshot: 'LoadBrowserProcessSpecificV8Snapshot',
  grantFileProtocolExtraPrivileges: 'GrantFileProtocolExtraPrivileges',
});
