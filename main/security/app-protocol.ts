// Resolves app://xendeck/<path> to a file of the built renderer (out/renderer).
//
// Electron security checklist item 18 (no file://): main registers `app` as a
// privileged standard scheme and answers it with protocol.handle(). This module is
// the pure half of that handler: URL in, file path and content type out, so the
// traversal rules can be tested in plain Node. The handler reads the file and adds
// the headers from csp.ts.
//
// Refused: other schemes or hosts, credentials or ports, encoded slashes or
// backslashes, NUL, '.' and '..' segments (raw or percent-encoded), dotfiles,
// and anything that would resolve outside the renderer directory.
// A path whose last segment has no extension is a client-side route
// (vue-router history mode) and gets index.html.
import path from 'node:path';
import { APP_HOST, APP_SCHEME } from './app-origin';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export const FALLBACK_CONTENT_TYPE = 'application/octet-stream';

export type AppRequestResolution =
  | { readonly ok: true; readonly filePath: string; readonly contentType: string; readonly spaFallback: boolean }
  | { readonly ok: false; readonly status: 400 | 403 | 404; readonly reason: string };

function refuse(status: 400 | 403 | 404, reason: string): AppRequestResolution {
  return { ok: false, status, reason };
}

/** The content type for a file name, by extension. */
export function contentTypeFor(fileName: string): string {
  return CONTENT_TYPES[path.extname(fileName).toLowerCase()] ?? FALLBACK_CONTENT_TYPE;
}

// %2f / %5c: encoded '/' and '\'; %00: NUL; %2e: an encoded dot (only ever used to hide '..').
const FORBIDDEN_ENCODINGS = /%(?:2f|5c|00|2e)/i;

/**
 * Maps an app:// request URL to a file under `rendererDir` (an absolute path).
 * Pure: it does not touch the file system.
 */
export function resolveAppRequest(requestUrl: string, rendererDir: string): AppRequestResolution {
  // Look at the raw path before URL parsing normalizes '..' away: a request that
  // tries traversal is refused outright rather than silently clamped.
  const rawPath = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(requestUrl)?.[1] ?? '';
  if (FORBIDDEN_ENCODINGS.test(rawPath)) return refuse(400, 'encoded separator, dot or NUL in path');
  if (rawPath.includes('\\')) return refuse(400, 'backslash in path');
  if (rawPath.split('/').some((s) => s === '.' || s === '..')) return refuse(403, 'dot segment in path');

  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return refuse(400, 'not a URL');
  }
  if (url.protocol !== `${APP_SCHEME}:`) return refuse(403, `scheme ${url.protocol} is not ${APP_SCHEME}:`);
  if (url.hostname !== APP_HOST) return refuse(403, `host ${JSON.stringify(url.hostname)} is not ${APP_HOST}`);
  if (url.username || url.password || url.port) return refuse(403, 'credentials or port in URL');

  let segments: string[];
  try {
    segments = url.pathname.split('/').filter((s) => s.length > 0).map((s) => decodeURIComponent(s));
  } catch {
    return refuse(400, 'malformed percent-encoding');
  }
  for (const segment of segments) {
    if (segment.startsWith('.')) return refuse(403, 'dot segment or dotfile');
    if (/[\\/\0:]/.test(segment)) return refuse(400, 'separator, colon or NUL inside a segment');
  }

  const last = segments.at(-1);
  const spaFallback = last === undefined || path.extname(last) === '';
  const relative = spaFallback ? ['index.html'] : segments;

  const root = path.resolve(rendererDir);
  const filePath = path.resolve(root, ...relative);
  const fromRoot = path.relative(root, filePath);
  if (fromRoot === '' || fromRoot.startsWith('..') || path.isAbsolute(fromRoot)) {
    return refuse(403, 'path escapes the renderer directory');
  }
  return { ok: true, filePath, contentType: contentTypeFor(filePath), spaFallback };
}
