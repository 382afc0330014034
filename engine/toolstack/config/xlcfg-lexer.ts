/**
 * The xl.cfg lexer, following tools/libs/util/libxlu_cfg_l.l (Xen 4.17):
 * - IDENT `[a-z][._0-9a-z]*` (lowercase first; uppercase is a lexical error)
 * - NUMBER `[0-9][0-9a-fx]*`, kept as text (strtol(…, 0) happens in the getters)
 * - STRING in '…' or "…", no raw newline, escapes undone by xlu__cfgl_dequote
 * - `, [ ] = ;` and `+=` (4.13+), NEWLINE is "\n" or a "#…\n" comment
 * - `+ - . ( ) :` outside a token mark the file as "likely Python" (xl then warns)
 */
export type TokenKind = 'IDENT' | 'NUMBER' | 'STRING' | 'NEWLINE' | ',' | '[' | ']' | '=' | ';' | '+=' | 'EOF' | 'ERROR';

export interface Token {
  kind: TokenKind;
  /** Source text of the token (for "near `…'"); for STRING the decoded value is `value`. */
  text: string;
  value: string;
  line: number;
  column: number;
  /** Why an ERROR token is one. */
  error?: string;
}

const PYTHONISH = new Set(['+', '-', '.', '(', ')', ':']);

export class XlCfgLexer {
  private pos = 0;
  private line = 1;
  private col = 1;
  likelyPython = false;

  constructor(private readonly src: string) {}

  next(): Token {
    const s = this.src;
    while (this.pos < s.length && (s[this.pos] === ' ' || s[this.pos] === '\t' || s[this.pos] === '\r')) this.advance(1);
    const line = this.line;
    const column = this.col;
    if (this.pos >= s.length) return { kind: 'EOF', text: '', value: '', line, column };
    const c = s[this.pos]!;
    const tok = (kind: TokenKind, len: number, value?: string, error?: string): Token => {
      const text = s.slice(this.pos, this.pos + len);
      this.advance(len);
      return { kind, text, value: value ?? text, line, column, ...(error ? { error } : {}) };
    };
    if (c === '\n') {
      const t = { kind: 'NEWLINE' as const, text: '\n', value: '\n', line, column };
      this.pos++;
      this.line++;
      this.col = 1;
      return t;
    }
    if (c === '#') {
      const nl = s.indexOf('\n', this.pos);
      // A final comment without its newline matches no rule: a lexical error (verified on 4.17).
      if (nl < 0) return this.lexicalError(line, column);
      this.advance(nl - this.pos);
      return this.next();
    }
    if (c >= 'a' && c <= 'z') {
      let n = 1;
      while (this.pos + n < s.length && /[._0-9a-z]/.test(s[this.pos + n]!)) n++;
      return tok('IDENT', n);
    }
    if (c >= '0' && c <= '9') {
      let n = 1;
      while (this.pos + n < s.length && /[0-9a-fx]/.test(s[this.pos + n]!)) n++;
      return tok('NUMBER', n);
    }
    if (c === '"' || c === "'") {
      let n = 1;
      while (this.pos + n < s.length && s[this.pos + n] !== c && s[this.pos + n] !== '\n') {
        n += s[this.pos + n] === '\\' && this.pos + n + 1 < s.length && s[this.pos + n + 1] !== '\n' ? 2 : 1;
      }
      if (this.pos + n >= s.length || s[this.pos + n] !== c) return this.lexicalError(line, column);
      const raw = s.slice(this.pos + 1, this.pos + n);
      const decoded = dequote(raw);
      if (typeof decoded !== 'string') return tok('ERROR', n + 1, undefined, decoded.error);
      return tok('STRING', n + 1, decoded);
    }
    if (c === '+' && s[this.pos + 1] === '=') return tok('+=', 2);
    if (c === ',' || c === '[' || c === ']' || c === '=' || c === ';') return tok(c, 1);
    if (PYTHONISH.has(c)) this.likelyPython = true;
    return this.lexicalError(line, column);
  }

  /**
   * No rule matched: xl reports the text up to the next blank as the token
   * ("near `A=1'", "near `\"abc'", verified against libxlutil 4.17).
   */
  private lexicalError(line: number, column: number): Token {
    let n = 1;
    const s = this.src;
    while (this.pos + n < s.length && !/[ \t\n]/.test(s[this.pos + n]!)) n++;
    const text = s.slice(this.pos, this.pos + n);
    this.advance(n);
    return { kind: 'ERROR', text, value: text, line, column, error: 'lexical error' };
  }

  private advance(n: number): void {
    this.pos += n;
    this.col += n;
  }
}

/** xlu__cfgl_dequote: backslash escapes, with its quirks (see the header comment). */
function dequote(raw: string): string | { error: string } {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = raw[++i] ?? '';
    const simple: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
    if (e in simple) {
      out += simple[e];
    } else if (e === 'x') {
      // Xen's hex escape is broken: it always fails (libxlu_cfg.c skips a char, then
      // demands more than two digits). Reproduced so configs are judged as xl judges them.
      return { error: 'invalid digit after backslash hexnumerical character escape in quoted string' };
    } else if (e >= '0' && e <= '7') {
      // Xen's "octal" escape is broken too: it takes up to four digits, needs at least
      // three, and stores nothing ("p\\0651q" reads as "pq", "\\12345" as "5";
      // verified against libxlutil 4.17). Reproduced so values match xl's.
      let digits = e;
      while (digits.length < 4 && /[0-9]/.test(raw[i + 1] ?? '')) digits += raw[++i];
      if (digits.length < 3) return { error: 'invalid digit after backslash octalnumerical character escape in quoted string' };
    } else {
      return { error: 'invalid character after backlash in quoted string' };
    }
  }
  return out;
}
