// Pure decisions behind main's navigation, window-open, IPC-sender and permission hooks.
//
// Electron security checklist:
//   5  handle session permission requests  -> permissionDecision(): deny everything
//  13  disable or limit navigation          -> isAllowedNavigation(): only app://xendeck/
//  14  disable or limit new windows         -> windowOpenDecision(): always deny; a plain
//                                              http(s) link may go to the OS browser
//  15  do not use shell.openExternal with untrusted content -> externalUrl() allowlist
//  17  validate the sender of all IPC messages -> isTrustedIpcSender()
// main/index.ts wires these to 'will-navigate', 'will-frame-navigate',
// setWindowOpenHandler, ipcMain handlers and session.setPermission*Handler.
import { APP_HOST, APP_SCHEME } from './app-origin';

function parse(url: string | null | undefined): URL | null {
  if (typeof url !== 'string' || url.length === 0) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function isAppUrl(u: URL): boolean {
  return u.protocol === `${APP_SCHEME}:` && u.hostname === APP_HOST && !u.port && !u.username && !u.password;
}

/**
 * `devServerOrigin` is electron-vite's dev server (e.g. 'http://localhost:5173'),
 * passed by main only when running `npm run dev`; packaged builds pass nothing.
 */
function isOurOrigin(u: URL, devServerOrigin?: string): boolean {
  if (isAppUrl(u)) return true;
  return devServerOrigin !== undefined && devServerOrigin.length > 0 && u.origin === devServerOrigin;
}

/** May the window (or a frame) navigate to `url`? Only within our own origin. */
export function isAllowedNavigation(url: string, devServerOrigin?: string): boolean {
  const u = parse(url);
  return u !== null && isOurOrigin(u, devServerOrigin);
}

/**
 * A URL fit for shell.openExternal, or null. Only http: and https: (never file:,
 * smb:, javascript:, custom handlers), and no embedded credentials.
 */
export function externalUrl(url: string): string | null {
  const u = parse(url);
  if (u === null) return null;
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  if (u.username || u.password || u.hostname === '') return null;
  return u.href;
}

export interface WindowOpenDecision {
  /** Always 'deny': XenDeck never opens a second Electron window from content. */
  readonly action: 'deny';
  /** When non-null, main hands this URL to shell.openExternal. */
  readonly openExternal: string | null;
}

/** The setWindowOpenHandler decision; assignable to Electron's `{ action: 'deny' }`. */
export function windowOpenDecision(url: string): WindowOpenDecision {
  return { action: 'deny', openExternal: externalUrl(url) };
}

/**
 * IPC is accepted only from our own top frame: a subframe (there should be none)
 * or a page that somehow navigated elsewhere must not reach the api.
 * `frameUrl` is `event.senderFrame?.url`; a destroyed frame gives null/undefined.
 */
export function isTrustedIpcSender(
  frameUrl: string | null | undefined,
  isMainFrame: boolean,
  devServerOrigin?: string,
): boolean {
  if (!isMainFrame) return false;
  const u = parse(frameUrl);
  return u !== null && isOurOrigin(u, devServerOrigin);
}

/**
 * Permission requests and checks (camera, notifications, clipboard, HID, serial,
 * USB, …): denied by default, and XenDeck needs none — copy/paste in consoles goes
 * through the api, not navigator.clipboard.
 */
export function permissionDecision(_permission: string): false {
  return false;
}
