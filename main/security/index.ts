// Barrel for main/security: pure, Electron-free security decisions (see each module's header).
export * from './app-origin';
export * from './window-options';
export * from './csp';
export * from './app-protocol';
export * from './navigation-guards';
export * from './fuses';
export * from './app-response';
