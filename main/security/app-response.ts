// The app:// protocol handler's body: request in, web Response out.
//
// Electron security checklist items 7 and 18: every response of the custom
// protocol carries the CSP and isolation headers (csp.ts), and only files that
// resolveAppRequest() accepts are read. main/index.ts does no more than
//   protocol.handle('app', (req) => appProtocolResponse(req, rendererDir))
// Uses only node:fs and the global Response (Node >= 18, Electron's main), so a
// test can call it in plain Node against a temporary directory.
import { readFile as fsReadFile } from 'node:fs/promises';
import { resolveAppRequest } from './app-protocol';
import { appResponseHeaders, type CspOptions } from './csp';

export interface AppResponseOptions {
  readonly csp?: CspOptions;
  /** Injected in tests; defaults to fs.promises.readFile. */
  readonly readFile?: (filePath: string) => Promise<Uint8Array>;
}

function textResponse(status: number, text: string, headers: Record<string, string>): Response {
  return new Response(text, { status, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' } });
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

export async function appProtocolResponse(
  request: { readonly url: string; readonly method?: string },
  rendererDir: string,
  options: AppResponseOptions = {},
): Promise<Response> {
  const headers = appResponseHeaders(options.csp);
  const method = (request.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    return textResponse(405, 'method not allowed', { ...headers, Allow: 'GET, HEAD' });
  }
  const resolved = resolveAppRequest(request.url, rendererDir);
  if (!resolved.ok) return textResponse(resolved.status, resolved.reason, headers);
  let body: Uint8Array;
  try {
    body = await (options.readFile ?? fsReadFile)(resolved.filePath);
  } catch (error) {
    if (isNotFound(error)) return textResponse(404, 'not found', headers);
    return textResponse(500, 'read error', headers);
  }
  return new Response(method === 'HEAD' ? null : body, {
    status: 200,
    headers: { ...headers, 'Content-Type': resolved.contentType, 'Content-Length': String(body.byteLength) },
  });
}
