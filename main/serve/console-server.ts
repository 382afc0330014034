/**
 * The headless console (`npm run serve`): the main-process services in plain Node, the
 * built renderer over HTTP and the api over a WebSocket at /api, on 127.0.0.1 by default.
 * Every request needs the token (see token-auth.ts); without it: 401. Static files are
 * resolved by the same rules as Electron's app:// handler and carry the same CSP.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiSession, MAX_CLIENT_MESSAGE_BYTES } from '../api/session';
import { Router } from '../api/router';
import { realTimers } from '../api/stream';
import { APP_ORIGIN, appResponseHeaders, resolveAppRequest } from '../security';
import { Lab } from '../services/lab';
import { LabStore } from '../services/lab-store';
import { startLocalSocket, type LocalSocket } from './local-socket';
import type { ServeOptions } from './serve-options';
import { hasValidCredentials, hostHeaderAllowed, tokenCookie } from './token-auth';

export interface ConsoleServer {
  /** The URL to open, with the token. */
  url: string;
  port: number;
  token: string;
  lab: Lab;
  /** Where command-line clients reach the api (null when --no-socket). */
  socketPath: string | null;
  close(): Promise<void>;
}

export const API_PATH = '/api';

export async function startConsoleServer(opts: ServeOptions, appVersion: string): Promise<ConsoleServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const lab = Lab.open(new LabStore(opts.labDir), { defaultSeed: opts.seed, xenstoredProcesses: true });
  const router = new Router({ lab, mode: 'serve', appVersion });
  // The domains the embedded hosts ran when the console last stopped come back (their xl.cfg files).
  await lab.restoreDomains();
  let port = opts.port;

  const http: Server = createServer((req, res) => {
    void serveHttp(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  const sessions = new Set<ApiSession>();

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (!hostHeaderAllowed(req.headers.host, opts.host, port, opts.allowRemote)) return plain(res, 403, 'Host header not allowed\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'only GET\n');
    if (!hasValidCredentials(req, url, token)) {
      return plain(res, 401, 'XenDeck: this console needs its token. Open the URL `npm run serve` printed (it ends in ?token=...).\n');
    }
    if (url.searchParams.has('token')) {
      url.searchParams.delete('token');
      res.writeHead(302, { 'Set-Cookie': tokenCookie(token), Location: `${url.pathname}${url.search}`, 'Cache-Control': 'no-store' });
      return void res.end();
    }
    const r = resolveAppRequest(`${APP_ORIGIN}${url.pathname}`, opts.rendererDir);
    if (!r.ok) return plain(res, r.status, `${r.reason}\n`);
    let body: Buffer;
    try {
      body = await readFile(r.filePath);
    } catch {
      return plain(res, 404, r.spaFallback ? 'the renderer is not built: run `npm run build`\n' : 'not found\n');
    }
    const wsOrigin = `ws://${req.headers.host ?? `127.0.0.1:${port}`}`;
    res.writeHead(200, { ...appResponseHeaders({ connectSrc: [wsOrigin] }), 'Content-Type': r.contentType, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== API_PATH) return refuse(404, 'Not Found');
    if (!hostHeaderAllowed(req.headers.host, opts.host, port, opts.allowRemote)) return refuse(403, 'Forbidden');
    // A page of another origin must not drive the console through the user's cookie.
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) return refuse(403, 'Forbidden');
    if (!hasValidCredentials(req, url, token)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const session = new ApiSession(
      router,
      (m) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
      },
      realTimers,
      (frame) => {
        if (ws.readyState === ws.OPEN) ws.send(frame, { binary: true });
      },
    );
    sessions.add(session);
    ws.on('message', (data, isBinary) => {
      void session.receive(isBinary ? '' : data.toString());
    });
    ws.on('close', () => {
      session.close();
      sessions.delete(session);
    });
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;
  let local: LocalSocket | undefined;
  try {
    if (opts.socketPath !== null) local = await startLocalSocket(router, opts.socketPath);
  } catch (e) {
    await new Promise<void>((resolve) => http.close(() => resolve()));
    router.close();
    await lab.close();
    throw e;
  }
  const shownHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    lab,
    socketPath: local?.path ?? null,
    async close() {
      await local?.close();
      for (const s of sessions) s.close();
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      router.close();
      await lab.close();
    },
  };
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' });
  res.end(text);
}
