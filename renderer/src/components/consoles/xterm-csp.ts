/**
 * xterm.js 6 styles each terminal with <style> elements it creates and fills at run time
 * (its viewport's scrollbar colours, the DOM renderer's theme and cell dimensions). Our
 * CSP (main/security/csp.ts) has no 'unsafe-inline' in style-src, so Chromium refuses
 * them. While a terminal opens, its <style> elements are made <xterm-style> elements
 * instead: inert, hidden, and carrying their rules into a constructed stylesheet
 * adopted by the document (CSSOM; style-src governs <style> elements and style
 * attributes, not constructed sheets). The rules themselves are xterm's, unchanged.
 */
const TAG = 'xterm-style';

class XtermStyle extends HTMLElement {
  private readonly sheet = new CSSStyleSheet();
  private css = '';

  override get textContent(): string {
    return this.css;
  }

  override set textContent(v: string | null) {
    this.css = v ?? '';
    this.sheet.replaceSync(this.css);
  }

  connectedCallback(): void {
    this.hidden = true;
    if (!document.adoptedStyleSheets.includes(this.sheet)) document.adoptedStyleSheets = [...document.adoptedStyleSheets, this.sheet];
  }

  disconnectedCallback(): void {
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== this.sheet);
  }
}

/** Run `open` (Terminal.open) with <style> elements created as <xterm-style>. */
export function withoutInlineStyles(open: () => void): void {
  if (!customElements.get(TAG)) customElements.define(TAG, XtermStyle);
  const doc = document;
  const original = doc.createElement;
  const create = original as (this: Document, tagName: string, options?: ElementCreationOptions) => HTMLElement;
  const patched = function (this: Document, tag: string, options?: ElementCreationOptions): HTMLElement {
    return create.call(doc, tag.toLowerCase() === 'style' ? TAG : tag, options);
  };
  doc.createElement = patched as typeof doc.createElement;
  try {
    open();
  } finally {
    doc.createElement = original;
  }
}
