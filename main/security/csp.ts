// The Content-Security-Policy and the other response headers of the app:// protocol.
//
// Electron security checklist item 7 ("define a Content Security Policy"): the CSP
// is sent as an HTTP header from the app:// protocol handler rather than a <meta>
// tag, so it covers every response and cannot be edited out of index.html.
// Item 1/18: all UI comes from app://xendeck (or, in `npm run serve`, from the
// local HTTP server), never from a remote origin; the renderer never talks to
// Xen hosts directly — every request goes through main, so connect-src is 'self'.
//
// style-src has no 'unsafe-inline': Vue's compiled SFC styles are extracted to CSS
// files by Vite, and xterm 6 styles its DOM through its stylesheet and CSSOM
// (element.style assignments are not governed by style-src). The option exists for
// a component library that injects <style> tags at runtime.
//
// Importable in plain Node: no electron import at all.

export interface CspOptions {
  /**
   * Extra connect-src sources. `npm run serve` passes its WebSocket origin
   * (e.g. 'ws://127.0.0.1:5173'); Electron passes nothing.
   */
  readonly connectSrc?: readonly string[];
  /** Allow inline <style> elements. Off by default; see the header comment. */
  readonly unsafeInlineStyles?: boolean;
}

export type CspDirectives = Readonly<Record<string, readonly string[]>>;

/** The directives, in the order they are emitted. */
export function cspDirectives(options: CspOptions = {}): CspDirectives {
  return {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': options.unsafeInlineStyles ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...(options.connectSrc ?? [])],
    'worker-src': ["'self'"],
    'manifest-src': ["'self'"],
    'media-src': ["'none'"],
    'frame-src': ["'none'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
}

const SOURCE_RE = /^(?:'[a-z0-9-]+'|[a-z][a-z0-9+.-]*:(?:\/\/[a-z0-9.[\]:*-]+)?)$/i;

/** The policy as one header value. Throws on a connect-src entry that could break out of the directive. */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  for (const src of options.connectSrc ?? []) {
    if (!SOURCE_RE.test(src)) throw new Error(`csp: refusing connect-src source ${JSON.stringify(src)}`);
  }
  return Object.entries(cspDirectives(options))
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/**
 * Permissions-Policy: every powerful feature off for every origin. The session's
 * permission handler denies them as well (checklist item 5); this is the second lock.
 */
export const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'camera=()',
  'geolocation=()',
  'gyroscope=()',
  'magnetometer=()',
  'microphone=()',
  'payment=()',
  'usb=()',
  'serial=()',
  'hid=()',
  'bluetooth=()',
  'midi=()',
  'display-capture=()',
  'fullscreen=(self)',
].join(', ');

/** Headers for every app:// response (and the serve-mode HTTP responses). */
export function appResponseHeaders(options: CspOptions = {}): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'Permissions-Policy': PERMISSIONS_POLICY,
    'Cache-Control': 'no-store',
  };
}
