/**
 * The few C library conversions Xen's parsers lean on (sscanf %x, strtoul), with their
 * quirks (leading blanks, a sign, a 0x prefix, wrap-around of negative numbers), so the
 * spec parsers accept and refuse exactly what libxlutil and xl do.
 */

const SPACE = /^[ \t\n\v\f\r]*/;

/**
 * sscanf's `%x` into an unsigned int at `s[at]`: the value and where it stopped, or
 * undefined when no hex digit follows.
 */
export function scanHex(s: string, at: number): { value: number; end: number } | undefined {
  let i = at + SPACE.exec(s.slice(at))![0].length;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  // glibc's scanf takes "0x" whole even with no digit after it (the value is then 0),
  // unlike strtoul, which stops after the 0
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) {
    i += 2;
    if (!/[0-9a-fA-F]/.test(s[i] ?? '')) return { value: 0, end: i };
  }
  const m = /^[0-9a-fA-F]+/.exec(s.slice(i));
  if (!m) return undefined;
  // %x stores into unsigned int: the value is taken modulo 2^32
  let v = Number(BigInt.asUintN(32, BigInt(`0x${m[0]}`)));
  if (neg) v = (2 ** 32 - v) % 2 ** 32;
  return { value: v, end: i + m[0].length };
}

/** strtoul(s, &end, base) for base 10 or 0 (0x hex, 0 octal): value and end index (0 consumed: end = 0). */
export function strtoul(s: string, base: 0 | 10 | 16 = 10): { value: number; end: number } {
  let i = SPACE.exec(s)![0].length;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  let b: number = base;
  if ((b === 0 || b === 16) && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
    i += 2;
    b = 16;
  } else if (b === 0) b = s[i] === '0' ? 8 : 10;
  const digits = b === 16 ? /^[0-9a-fA-F]+/ : b === 8 ? /^[0-7]+/ : /^[0-9]+/;
  const m = digits.exec(s.slice(i));
  if (!m) return { value: 0, end: 0 };
  let v = BigInt(b === 16 ? `0x${m[0]}` : b === 8 ? `0o${m[0]}` : m[0]);
  const max = 2n ** 64n - 1n;
  if (v > max) v = max; // ERANGE: ULONG_MAX
  else if (neg) v = BigInt.asUintN(64, -v);
  return { value: Number(v), end: i + m[0].length };
}

export const ULONG_MAX = Number(2n ** 64n - 1n);
