// Electron security checklist items 5, 13-15, 17: navigation, new windows, IPC senders, permissions.
import { describe, expect, it } from 'vitest';
import {
  externalUrl,
  isAllowedNavigation,
  isTrustedIpcSender,
  permissionDecision,
  windowOpenDecision,
} from '../../../main/security/navigation-guards';
import { APP_ENTRY_URL } from '../../../main/security/app-origin';

describe('isAllowedNavigation', () => {
  it('allows only app://xendeck/', () => {
    expect(isAllowedNavigation(APP_ENTRY_URL)).toBe(true);
    expect(isAllowedNavigation('app://xendeck/domains?x=1#y')).toBe(true);
    for (const url of [
      'https://example.com/',
      'http://localhost:5173/',
      'file:///etc/passwd',
      'app://other/index.html',
      'app://xendeck:1/index.html',
      'app://a@xendeck/index.html',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'about:blank',
      '',
      'garbage',
    ]) {
      expect(isAllowedNavigation(url), url).toBe(false);
    }
  });

  it('allows the dev server origin only when main passes it', () => {
    expect(isAllowedNavigation('http://localhost:5173/domains', 'http://localhost:5173')).toBe(true);
    expect(isAllowedNavigation('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
    expect(isAllowedNavigation('http://localhost:5173/', '')).toBe(false);
  });
});

describe('windowOpenDecision', () => {
  it('always denies a new window', () => {
    for (const url of ['https://xenproject.org/', APP_ENTRY_URL, 'file:///x', 'javascript:1', '']) {
      expect(windowOpenDecision(url).action).toBe('deny');
    }
  });

  it('hands only http(s) links without credentials to the OS browser', () => {
    expect(windowOpenDecision('https://xenproject.org/docs').openExternal).toBe('https://xenproject.org/docs');
    expect(windowOpenDecision('http://example.com').openExternal).toBe('http://example.com/');
    for (const url of [
      'file:///etc/passwd',
      'smb://host/share',
      'javascript:alert(1)',
      'ms-msdt:/id',
      'app://xendeck/index.html',
      'https://user:pw@example.com/',
      'garbage',
    ]) {
      expect(windowOpenDecision(url).openExternal, url).toBeNull();
      expect(externalUrl(url), url).toBeNull();
    }
  });
});

describe('isTrustedIpcSender', () => {
  it('trusts only our top frame', () => {
    expect(isTrustedIpcSender(APP_ENTRY_URL, true)).toBe(true);
    expect(isTrustedIpcSender(APP_ENTRY_URL, false)).toBe(false);
    expect(isTrustedIpcSender('https://evil.example/', true)).toBe(false);
    expect(isTrustedIpcSender('file:///index.html', true)).toBe(false);
    expect(isTrustedIpcSender(undefined, true)).toBe(false);
    expect(isTrustedIpcSender(null, true)).toBe(false);
    expect(isTrustedIpcSender('http://localhost:5173/', true, 'http://localhost:5173')).toBe(true);
  });
});

describe('permissionDecision', () => {
  it('denies every permission', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write',
      'hid', 'serial', 'usb', 'openExternal', 'fullscreen', 'pointerLock', 'unknown-future-permission']) {
      expect(permissionDecision(p), p).toBe(false);
    }
  });
});
