/**
 * The CDP key events of a keystroke on a US keyboard, as Playwright's keyboard sends them
 * (its US layout): `key`, `code`, the Windows virtual key code Blink maps to
 * KeyboardEvent.keyCode, and the text a key down inserts. xterm.js reads `key` and
 * `keyCode` on keydown (ctrl+letter → C0 control by keyCode) and the text's keypress for
 * the rest, so both must be as a real keyboard sends them.
 */
export interface KeyDescription {
  key: string;
  code: string;
  windowsVirtualKeyCode: number;
  /** What a key down inserts; '' for a key that inserts nothing (or held with Control). */
  text: string;
}

/** Punctuation of the US layout: [unshifted, shifted, code, virtual key code]. */
const PUNCTUATION: readonly [string, string, string, number][] = [
  ['`', '~', 'Backquote', 192],
  ['-', '_', 'Minus', 189],
  ['=', '+', 'Equal', 187],
  ['[', '{', 'BracketLeft', 219],
  [']', '}', 'BracketRight', 221],
  ['\\', '|', 'Backslash', 220],
  [';', ':', 'Semicolon', 186],
  ["'", '"', 'Quote', 222],
  [',', '<', 'Comma', 188],
  ['.', '>', 'Period', 190],
  ['/', '?', 'Slash', 191],
];
/** Shifted digits of the US layout, from Digit0. */
const SHIFTED_DIGITS = ')!@#$%^&*(';

const SPECIAL: Record<string, KeyDescription> = {
  Enter: { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, text: '\r' },
  Control: { key: 'Control', code: 'ControlLeft', windowsVirtualKeyCode: 17, text: '' },
  ' ': { key: ' ', code: 'Space', windowsVirtualKeyCode: 32, text: ' ' },
};

/** A key by its name ('Enter', 'Control') or the character it types ('a', 'Z', '%'). */
export function keyDescription(name: string): KeyDescription {
  const special = SPECIAL[name];
  if (special) return special;
  if (/^[a-zA-Z]$/.test(name)) return { key: name, code: `Key${name.toUpperCase()}`, windowsVirtualKeyCode: name.toUpperCase().charCodeAt(0), text: name };
  if (/^[0-9]$/.test(name)) return { key: name, code: `Digit${name}`, windowsVirtualKeyCode: name.charCodeAt(0), text: name };
  const shiftedDigit = SHIFTED_DIGITS.indexOf(name);
  if (shiftedDigit >= 0) return { key: name, code: `Digit${shiftedDigit}`, windowsVirtualKeyCode: 48 + shiftedDigit, text: name };
  const p = PUNCTUATION.find(([plain, shifted]) => name === plain || name === shifted);
  if (p) return { key: name, code: p[2], windowsVirtualKeyCode: p[3], text: name };
  throw new RangeError(`no US keyboard key types ${JSON.stringify(name)}`);
}
