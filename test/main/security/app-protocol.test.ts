// Electron security checklist item 18: app:// serves only files of the built renderer.
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentTypeFor, resolveAppRequest } from '../../../main/security/app-protocol';

const root = path.resolve('/opt/xendeck/out/renderer');

function ok(url: string): { filePath: string; contentType: string; spaFallback: boolean } {
  const r = resolveAppRequest(url, root);
  if (!r.ok) throw new Error(`${url} refused: ${r.reason}`);
  return r;
}

describe('resolveAppRequest', () => {
  it('maps assets to files with their content type', () => {
    expect(ok('app://xendeck/index.html')).toEqual({
      ok: true,
      filePath: path.join(root, 'index.html'),
      contentType: 'text/html; charset=utf-8',
      spaFallback: false,
    });
    expect(ok('app://xendeck/assets/index-abc123.js').filePath).toBe(path.join(root, 'assets', 'index-abc123.js'));
    expect(ok('app://xendeck/assets/index-abc123.js').contentType).toBe('text/javascript; charset=utf-8');
    expect(ok('app://xendeck/assets/app.css?v=1#x').contentType).toBe('text/css; charset=utf-8');
    expect(ok('app://xendeck/assets/font.woff2').contentType).toBe('font/woff2');
    expect(ok('app://xendeck/assets/a%20b.svg').filePath).toBe(path.join(root, 'assets', 'a b.svg'));
  });

  it('falls back to index.html for client-side routes', () => {
    for (const url of ['app://xendeck/', 'app://xendeck', 'app://xendeck/domains', 'app://xendeck/hosts/h1/console']) {
      const r = ok(url);
      expect(r.filePath).toBe(path.join(root, 'index.html'));
      expect(r.spaFallback).toBe(true);
      expect(r.contentType).toBe('text/html; charset=utf-8');
    }
  });

  it('refuses other schemes, hosts, ports and credentials', () => {
    for (const url of [
      'file:///etc/passwd',
      'https://xendeck/index.html',
      'app://evil/index.html',
      'app://xendeck.evil.com/index.html',
      'app://xendeck:8080/index.html',
      'app://user:pw@xendeck/index.html',
      'not a url',
    ]) {
      const r = resolveAppRequest(url, root);
      expect(r.ok, url).toBe(false);
    }
  });

  it('refuses traversal in every spelling', () => {
    for (const url of [
      'app://xendeck/../etc/passwd',
      'app://xendeck/assets/../../etc/passwd',
      'app://xendeck/%2e%2e/etc/passwd',
      'app://xendeck/%2E%2E/etc/passwd',
      'app://xendeck/.%2e/etc/passwd',
      'app://xendeck/assets%2f..%2f..%2fetc%2fpasswd',
      'app://xendeck/assets%5c..%5cpasswd',
      'app://xendeck/..\\..\\etc\\passwd',
      'app://xendeck/./index.html',
      'app://xendeck/index.html%00.png',
      'app://xendeck/.env',
      'app://xendeck/assets/.git/config',
      'app://xendeck/%E0%A4%A',
    ]) {
      const r = resolveAppRequest(url, root);
      expect(r.ok, url).toBe(false);
    }
  });

  it('never resolves outside the renderer directory (property)', () => {
    const segment = fc.oneof(
      fc.constantFrom('..', '.', '%2e%2e', '%2f', '%5c', '\\', 'assets', 'index.html', '', '%00', '%252e'),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (parts) => {
        const r = resolveAppRequest(`app://xendeck/${parts.join('/')}`, root);
        if (r.ok) {
          const rel = path.relative(root, r.filePath);
          expect(rel.startsWith('..') || path.isAbsolute(rel) || rel === '').toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('contentTypeFor', () => {
  it('falls back to octet-stream for unknown extensions', () => {
    expect(contentTypeFor('x.bin')).toBe('application/octet-stream');
    expect(contentTypeFor('X.HTML')).toBe('text/html; charset=utf-8');
  });
});
