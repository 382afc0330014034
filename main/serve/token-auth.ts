/**
 * The serve mode's access check. A browser proves it holds the token once, through the
 * `?token=` of the printed URL; the server answers with an HttpOnly SameSite=Strict
 * cookie and a redirect that drops the token from the address bar (Jupyter's scheme).
 * Scripts may send `Authorization: Bearer <token>`. Comparison is constant-time.
 * The Host header must name the address we bound (a DNS-rebinding page cannot reach us).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'xendeck_token';

export function tokenMatches(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return v.join('=');
  }
  return undefined;
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

export function hasValidCredentials(req: IncomingMessage, url: URL, token: string): boolean {
  return [cookieToken(req), bearerToken(req), url.searchParams.get('token')].some((t) => tokenMatches(t, token));
}

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Host header allowed for a server bound to `host:port` (loopback names are equivalent). */
export function hostHeaderAllowed(hostHeader: string | undefined, boundHost: string, port: number, allowRemote: boolean): boolean {
  if (allowRemote) return true;
  if (!hostHeader) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${boundHost}:${port}`].includes(hostHeader.toLowerCase());
}
