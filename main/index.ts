/**
 * Electron's main process: one window, secure by default (the checklist of Electron's
 * docs/tutorial/security.md, with the decisions themselves in main/security so tests can
 * check them without Electron). The renderer is served from app://xendeck (never file://),
 * the api reaches it over a MessagePort handed only to our own top frame, and every
 * request on it goes through the same Router as the WebSocket of `npm run serve`.
 */
import { app, BrowserWindow, ipcMain, MessageChannelMain, protocol, session, shell, type IpcMainEvent } from 'electron';
import { join } from 'node:path';
import { ApiSession } from './api/session';
import { Router } from './api/router';
import { IPC_HELLO, IPC_PORT } from './ipc-channels';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  appProtocolResponse,
  isAllowedNavigation,
  isTrustedIpcSender,
  mainWindowOptions,
  permissionDecision,
  windowOpenDecision,
} from './security';
import { startLocalSocket } from './serve/local-socket';
import { Lab } from './services/lab';
import { LabStore } from './services/lab-store';

const rendererDir = join(__dirname, '../renderer');
const preloadPath = join(__dirname, '../preload/index.cjs');

app.enableSandbox();
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const lab = Lab.open(new LabStore(join(app.getPath('userData'), 'lab')), { xenstoredProcesses: true });
const router = new Router({ lab, mode: 'electron', appVersion: app.getVersion() });

function createWindow(): BrowserWindow {
  const opts = mainWindowOptions(preloadPath);
  // The three flags restated as literals so static checkers (electronegativity) see them
  // at the call; main/security/window-options.ts is their source and its test pins them.
  const win = new BrowserWindow({ ...opts, webPreferences: { ...opts.webPreferences, contextIsolation: true, sandbox: true, nodeIntegration: false } });
  const wc = win.webContents;
  wc.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url)) e.preventDefault();
  });
  wc.on('will-frame-navigate', (e) => {
    if (!isAllowedNavigation(e.url)) e.preventDefault();
  });
  wc.on('will-attach-webview', (e) => e.preventDefault());
  wc.setWindowOpenHandler(({ url }) => {
    const d = windowOpenDecision(url);
    if (d.openExternal) void shell.openExternal(d.openExternal);
    return { action: d.action };
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY_URL);
  return win;
}

/** The preload says hello; if it is our top frame on app://, it gets a fresh port. */
function onHello(event: IpcMainEvent): void {
  const frame = event.senderFrame;
  if (!frame || !isTrustedIpcSender(frame.url, frame === event.sender.mainFrame)) return;
  const { port1, port2 } = new MessageChannelMain();
  const s = new ApiSession(router, (m) => port1.postMessage(m));
  port1.on('message', (e) => void s.receive(e.data));
  port1.on('close', () => s.close());
  port1.start();
  event.sender.once('destroyed', () => {
    s.close();
    port1.close();
  });
  event.sender.postMessage(IPC_PORT, null, [port2]);
}

void app.whenReady().then(async () => {
  await lab.restoreDomains();
  protocol.handle(APP_SCHEME, (req) => appProtocolResponse(req, rendererDir));
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionDecision(permission)));
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => permissionDecision(permission));
  session.defaultSession.setDevicePermissionHandler(() => false);
  ipcMain.on(IPC_HELLO, onHello);
  // Command-line clients (xl) reach this running XenDeck here; a second instance just goes without.
  startLocalSocket(router).then(
    (s) => app.on('will-quit', () => void s.close()),
    (e: unknown) => console.warn(`xendeck: no api socket: ${e instanceof Error ? e.message : String(e)}`),
  );
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url)) e.preventDefault();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => {
  router.close();
  void lab.close();
});
