// Electron security checklist item 7: the CSP and the other app:// response headers.
import { describe, expect, it } from 'vitest';
import { appResponseHeaders, contentSecurityPolicy, cspDirectives } from '../../../main/security/csp';

function parseCsp(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) {
      expect(map.has(name), `duplicate directive ${name}`).toBe(false);
      map.set(name, values);
    }
  }
  return map;
}

describe('contentSecurityPolicy', () => {
  const csp = parseCsp(contentSecurityPolicy());

  it('denies by default and allows only our own scripts', () => {
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
  });

  it('has no unsafe-inline, unsafe-eval, wildcard or remote source', () => {
    for (const [name, values] of csp) {
      for (const v of values) {
        expect(v, name).not.toMatch(/unsafe|\*|^https?:|^ws:|^blob:/);
      }
    }
  });

  it('locks the remaining directives', () => {
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:']);
    expect(csp.get('font-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('worker-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('adds the serve-mode WebSocket origin to connect-src only', () => {
    const serve = parseCsp(contentSecurityPolicy({ connectSrc: ['ws://127.0.0.1:5173'] }));
    expect(serve.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:5173']);
    expect(serve.get('script-src')).toEqual(["'self'"]);
  });

  it('refuses a connect-src entry that would inject a directive', () => {
    expect(() => contentSecurityPolicy({ connectSrc: ["ws://x; script-src 'unsafe-eval'"] })).toThrow(/refusing/);
    expect(() => contentSecurityPolicy({ connectSrc: ['*'] })).toThrow(/refusing/);
  });

  it("allows inline styles only when asked", () => {
    expect(cspDirectives({ unsafeInlineStyles: true })['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
  });
});

describe('appResponseHeaders', () => {
  const h = appResponseHeaders();
  it('sends the CSP and the isolation headers', () => {
    expect(h['Content-Security-Policy']).toBe(contentSecurityPolicy());
    expect(h['X-Content-Type-Options']).toBe('nosniff');
    expect(h['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(h['Cross-Origin-Resource-Policy']).toBe('same-origin');
    expect(h['Referrer-Policy']).toBe('no-referrer');
  });
  it('switches off powerful features in Permissions-Policy', () => {
    const pp = h['Permissions-Policy'] ?? '';
    for (const f of ['camera', 'microphone', 'geolocation', 'usb', 'serial', 'hid']) {
      expect(pp).toContain(`${f}=()`);
    }
  });
  it('has only header-safe values', () => {
    for (const [k, v] of Object.entries(h)) {
      expect(k).toMatch(/^[A-Za-z-]+$/);
      expect(v).not.toMatch(/[\r\n]/);
    }
  });
});
