/**
 * The terminal line discipline of the guest's console tty (Linux n_tty in canonical mode
 * with the usual `stty sane` settings): input is echoed (unless echo is off, as login
 * turns it off for the password), erased with DEL or BS ("\b \b"), collected until
 * Enter (CR mapped to NL: ICRNL), ^C interrupts (ISIG: drops the line; the guest
 * flushes the queued output and echoes "^C"), ^D on an empty line is end of file, and ^U kills the line. Escape
 * sequences a terminal sends for arrow and function keys are swallowed.
 */
export type LdiscEvent = { kind: 'line'; text: string } | { kind: 'intr' } | { kind: 'eof' };

export class LineDiscipline {
  echo = true;
  private line = '';
  /** 0: normal; 1: after ESC; 2: inside a CSI / SS3 sequence. */
  private esc = 0;

  /**
   * Feed typed text up to the first event; `echo` receives what the tty writes back.
   * Returns the event (if any) and the text not read yet.
   */
  feed(text: string, echo: (s: string) => void): { event: LdiscEvent | undefined; rest: string } {
    const events: LdiscEvent[] = [];
    let i = 0;
    for (const ch of text) {
      i += ch.length;
      if (events.length > 0) return { event: events[0], rest: text.slice(i - ch.length) };
      const code = ch.codePointAt(0)!;
      if (this.esc === 1) {
        this.esc = ch === '[' || ch === 'O' ? 2 : 0;
        continue;
      }
      if (this.esc === 2) {
        if (code >= 0x40 && code <= 0x7e) this.esc = 0;
        continue;
      }
      switch (code) {
        case 0x1b:
          this.esc = 1;
          break;
        case 0x0d:
        case 0x0a: {
          if (this.echo) echo('\n');
          events.push({ kind: 'line', text: this.line });
          this.line = '';
          break;
        }
        case 0x7f:
        case 0x08:
          if (this.line.length > 0) {
            this.line = [...this.line].slice(0, -1).join('');
            if (this.echo) echo('\b \b');
          }
          break;
        case 0x03:
          // The tty echoes "^C" after it flushed the output queue: the caller writes it.
          this.line = '';
          events.push({ kind: 'intr' });
          break;
        case 0x04:
          if (this.line === '') events.push({ kind: 'eof' });
          break;
        case 0x15:
          if (this.echo) echo('\b \b'.repeat([...this.line].length));
          this.line = '';
          break;
        default:
          if (code < 0x20) break; // other controls: ignored
          this.line += ch;
          if (this.echo) echo(ch);
      }
    }
    return { event: events[0], rest: '' };
  }

  /** Drop a half-typed line (e.g. when the tty is hung up). */
  reset(): void {
    this.line = '';
    this.esc = 0;
  }
}
