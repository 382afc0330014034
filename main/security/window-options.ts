// The BrowserWindow options for XenDeck's single main window.
//
// Why a separate module: the security posture of the window must be testable in
// plain Node, without starting Electron (issue 2). Only *types* come from
// 'electron', so importing this file never loads the Electron runtime.
//
// Electron security checklist (docs/tutorial/security.md), items covered here:
//   2  do not enable Node.js integration for remote content  -> nodeIntegration(InWorker) false
//   3  enable context isolation                              -> contextIsolation true
//   4  enable process sandboxing                             -> sandbox true (main also calls app.enableSandbox())
//   6  do not disable webSecurity                            -> webSecurity true
//   8  do not allow insecure content                         -> allowRunningInsecureContent false
//   9  do not enable experimental features                   -> experimentalFeatures false
//  10  do not use enableBlinkFeatures                        -> never set
//  12  do not use <webview>                                  -> webviewTag false
// navigateOnDragDrop false keeps a dropped file or link from navigating the
// window away from app:// (item 13). spellcheck false: the spellchecker would
// download dictionaries from a Google CDN and is useless in a hypervisor console.
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/** Dark slate, matching the renderer's dark theme so the first paint does not flash white. */
export const WINDOW_BACKGROUND = '#0f1723';
export const WINDOW_MIN_WIDTH = 1024;
export const WINDOW_MIN_HEIGHT = 640;

/** The webPreferences every XenDeck window gets; exported so tests and guards can compare. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
    // A middle click on a link would otherwise open a new window (electronegativity AUXCLICK_JS_CHECK).
    disableBlinkFeatures: 'Auxclick',
    safeDialogs: true,
  };
}

/** Options for the main window. `show: false`: main shows it on 'ready-to-show'. */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    title: 'XenDeck',
    width: 1440,
    height: 900,
    minWidth: WINDOW_MIN_WIDTH,
    minHeight: WINDOW_MIN_HEIGHT,
    backgroundColor: WINDOW_BACKGROUND,
    show: false,
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(preloadPath),
  };
}
