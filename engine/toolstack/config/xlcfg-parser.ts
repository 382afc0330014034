/**
 * The xl.cfg parser: the grammar of tools/libs/util/libxlu_cfg_y.y and the setting
 * store of libxlu_cfg.c, with their quirks.
 *
 *   file       := stmts [assignment]          (the last statement may lack a terminator)
 *   stmt       := assignment endstmt | endstmt | error NEWLINE
 *   assignment := IDENT '=' value | IDENT '+=' value
 *   value      := atom | '[' nlok valuelist ']'   (nesting and a trailing comma allowed)
 *   atom       := STRING | NUMBER              (NUMBER text is kept as written)
 *
 * The last assignment to a key wins. `+=` concatenates strings or appends lists, and
 * acts as `=` when the key is new. After the first error no later assignment is stored,
 * as in xl (ctx->err is set), but settings made before it survive.
 */
import { ConfigError } from './config-error';
import { XlCfgLexer, type Token } from './xlcfg-lexer';

export type XlValue =
  | { kind: 'string'; value: string; line: number }
  | { kind: 'number'; text: string; line: number }
  | { kind: 'list'; items: XlValue[]; line: number };

export interface XlSetting {
  key: string;
  value: XlValue;
  line: number;
  /** True when the stored value came from a `+=` (numeric getters refuse it). */
  added: boolean;
}

export interface XlCfgParse {
  file: string;
  /** Settings in file order, one per key (the last assignment or `+=` result). */
  settings: Map<string, XlSetting>;
  errors: ConfigError[];
  /** Set when the lexer met `+ - . ( ) :`: xl then warns the file looks like Python. */
  likelyPython: boolean;
}

const PYTHON_WARNING = [
  'warning: Config file looks like it contains Python code.',
  'warning:  Arbitrary Python is no longer supported.',
  'warning:  See https://wiki.xen.org/wiki/PythonInXlConfig',
];

export function pythonWarnings(): readonly string[] {
  return PYTHON_WARNING;
}

class Parser {
  private tok: Token;
  private readonly lexer: XlCfgLexer;
  readonly settings = new Map<string, XlSetting>();
  readonly errors: ConfigError[] = [];
  /** Tokens consumed since the last error (bison suppresses messages until 3). */
  private shifted = 0;
  /** The last token consumed (xl names it in "can't add" errors). */
  private last: Token | undefined;

  constructor(
    src: string,
    private readonly file: string,
  ) {
    this.lexer = new XlCfgLexer(src);
    this.tok = this.lexer.next();
  }

  get likelyPython(): boolean {
    return this.lexer.likelyPython;
  }

  parse(): void {
    while (this.tok.kind !== 'EOF') {
      try {
        this.statement();
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        // Lexical errors are reported by the lexer itself, always. Bison reports a syntax
        // error only if three tokens were shifted since the last one (yyerrstatus).
        const lexical = this.tok.kind === 'ERROR' || e.detail.includes('lexical error');
        if (lexical || this.errors.length === 0 || this.shifted >= 3) this.errors.push(e);
        this.shifted = 0;
        // Bison's `error NEWLINE` rule: skip to the end of the line and go on.
        while (this.tok.kind !== 'NEWLINE' && this.tok.kind !== 'EOF') {
          this.tok = this.lexer.next();
          if (this.tok.kind === 'ERROR') this.errors.push(this.lexicalError());
        }
        if (this.tok.kind === 'NEWLINE') this.tok = this.lexer.next();
      }
    }
  }

  private statement(): void {
    const t = this.tok;
    if (t.kind === 'NEWLINE' || t.kind === ';') {
      this.advance();
      return;
    }
    if (t.kind !== 'IDENT') throw this.unexpected("$end or IDENT or NEWLINE or ';'");
    this.advance();
    const op = this.tok;
    if (op.kind !== '=' && op.kind !== '+=') throw this.unexpected("+= or '='");
    this.advance();
    const value = this.value(false);
    // Bison reduces the assignment by default before it reads the terminator, so the
    // setting is stored even when the next token is an error ("memory = 512 + 1" keeps
    // memory = 512, verified against libxlutil 4.17).
    if (this.errors.length === 0) this.store(t.text, value, op.kind === '+=', t.line);
    const end = this.tok;
    // Bison's verbose message here names only $end (its LALR tables merge the states).
    if (end.kind !== 'NEWLINE' && end.kind !== ';' && end.kind !== 'EOF') throw this.unexpected('$end');
    if (end.kind !== 'EOF') this.advance();
  }

  private value(inList: boolean): XlValue {
    if (inList) this.skipNewlines();
    const t = this.tok;
    if (t.kind === 'STRING') {
      this.advance();
      return { kind: 'string', value: t.value, line: t.line };
    }
    if (t.kind === 'NUMBER') {
      this.advance();
      return { kind: 'number', text: t.text, line: t.line };
    }
    if (t.kind === '[') {
      this.advance();
      const items: XlValue[] = [];
      for (;;) {
        this.skipNewlines();
        if (this.peek() === ']') break;
        items.push(this.value(true));
        this.skipNewlines();
        if (this.peek() === ',') {
          this.advance();
          continue;
        }
        if (this.peek() !== ']') throw this.unexpected("']'");
      }
      this.advance();
      return { kind: 'list', items, line: t.line };
    }
    throw this.unexpected("STRING or NUMBER or '['");
  }

  private store(key: string, value: XlValue, add: boolean, line: number): void {
    const prev = this.settings.get(key);
    if (add && prev) {
      const a = prev.value;
      if (a.kind === 'list' && value.kind === 'list') {
        value = { kind: 'list', items: [...a.items, ...value.items], line: a.line };
      } else if (a.kind !== 'list' && value.kind !== 'list') {
        const left = a.kind === 'string' ? a.value : a.text;
        const right = value.kind === 'string' ? value.value : value.text;
        value = { kind: 'string', value: left + right, line: a.line };
      } else {
        const near = this.last;
        throw new ConfigError(
          this.file,
          near?.line ?? line,
          near?.column ?? 1,
          `config parsing error near \`${near?.text ?? ''}': can't add [list] to "string" or vice versa`,
        );
      }
    }
    // Re-insert so map order is the order of last assignment.
    this.settings.delete(key);
    this.settings.set(key, { key, value, line, added: add });
  }

  /** The current token kind, read through a call so TypeScript does not narrow it across advance(). */
  private peek(): Token['kind'] {
    return this.tok.kind;
  }

  private skipNewlines(): void {
    while (this.tok.kind === 'NEWLINE') this.advance();
  }

  private advance(): void {
    this.last = this.tok;
    this.shifted++;
    this.tok = this.lexer.next();
  }

  private lexicalError(): ConfigError {
    const t = this.tok;
    return new ConfigError(this.file, t.line, t.column, `config parsing error near \`${t.text}': ${t.error ?? 'lexical error'}`);
  }

  private unexpected(expecting: string): ConfigError {
    const t = this.tok;
    if (t.kind === 'ERROR') return this.lexicalError();
    const near = t.kind === 'NEWLINE' ? '<newline>' : `\`${t.text}'`;
    const name = t.kind === 'EOF' ? '$end' : t.kind.length === 1 ? `'${t.kind}'` : t.kind;
    // xl reports a NEWLINE token on the line before it (the lexer has already counted
    // the newline when bison reads the token's location): "b =\n2" fails at line 0.
    // $end likewise sits on the last line when the file ends with a newline.
    const line = t.kind === 'NEWLINE' || (t.kind === 'EOF' && t.column === 1 && t.line > 1) ? t.line - 1 : t.line;
    return new ConfigError(this.file, line, t.column, `config parsing error near ${near}: syntax error, unexpected ${name}, expecting ${expecting}`);
  }
}

/** Parse xl.cfg text. Never throws for bad input: errors are returned, in file order. */
export function parseXlCfg(text: string, file = 'config'): XlCfgParse {
  const p = new Parser(text, file);
  p.parse();
  return { file, settings: p.settings, errors: p.errors, likelyPython: p.likelyPython };
}

/** Parse and throw the first error as xl would fail ("Failed to parse config"). */
export function parseXlCfgStrict(text: string, file = 'config'): Map<string, XlSetting> {
  const r = parseXlCfg(text, file);
  if (r.errors.length > 0) throw r.errors[0]!;
  return r.settings;
}

/**
 * xlu_cfg_get_long: strtol(text, 0) over a NUMBER or STRING setting (so memory="1024"
 * works, 010 is 8, 0x200 is 512); refuses lists and `+=` results as xl does.
 */
export function getLong(p: XlCfgParse, key: string): number | undefined {
  const s = p.settings.get(key);
  if (!s) return undefined;
  if (s.value.kind === 'list') {
    throw new ConfigError(p.file, s.line, 1, `warning: parameter \`${key}' is a list but should be a single value`);
  }
  if (s.added) throw new ConfigError(p.file, s.line, 1, `warning: can't use += with numbers for parameter '${key}'`);
  const text = s.value.kind === 'string' ? s.value.value : s.value.text;
  const n = strtol0(text);
  if (n === undefined) {
    throw new ConfigError(p.file, s.line, 1, `warning: parameter \`${key}' is not a number: \`${text}'`);
  }
  return n;
}

/** strtol(s, &end, 0) requiring the whole text to be consumed (libxlu checks *end). */
export function strtol0(text: string): number | undefined {
  const t = text.trim();
  let m: RegExpMatchArray | null;
  if ((m = /^([+-]?)0[xX]([0-9a-fA-F]+)$/.exec(t))) return (m[1] === '-' ? -1 : 1) * Number.parseInt(m[2]!, 16);
  if ((m = /^([+-]?)0([0-7]*)$/.exec(t))) return (m[1] === '-' ? -1 : 1) * (m[2] ? Number.parseInt(m[2], 8) : 0);
  if (/^[+-]?[1-9][0-9]*$/.test(t)) return Number.parseInt(t, 10);
  return undefined;
}
