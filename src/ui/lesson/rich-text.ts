/**
 * Text with mathematics: paragraphs separated by blank lines, TeX between $…$ (inline) or $$…$$
 * (display), typeset by KaTeX into HTML at render time. KaTeX and its fonts are bundled (no
 * network). Components that show rich text include RICH_TEXT_STYLES in their shadow styles; the
 * fonts' @font-face rules live at the document level (src/main.ts imports katex.min.css), because
 * a browser ignores @font-face inside a shadow root.
 */
import katex from 'katex';
import katexCss from 'katex/dist/katex.min.css?inline';
import { css, html, unsafeCSS, type TemplateResult } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';

export const RICH_TEXT_STYLES = [
  unsafeCSS(katexCss),
  css`
    .katex {
      font-size: 1.08em;
    }
    .katex-display {
      margin: 0.5em 0;
      overflow-x: auto;
      overflow-y: hidden;
    }
  `,
];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** One paragraph's HTML: plain text escaped, math typeset (a TeX error shows in red, never throws). */
export function paragraphHtml(paragraph: string): string {
  return paragraph
    .split(/(\$\$[\s\S]+?\$\$|\$[^$]+?\$)/)
    .map((part) => {
      const display = part.startsWith('$$') && part.endsWith('$$') && part.length > 4;
      const inline = !display && part.startsWith('$') && part.endsWith('$') && part.length > 2;
      if (!display && !inline) return escapeHtml(part);
      const tex = display ? part.slice(2, -2) : part.slice(1, -1);
      return katex.renderToString(tex, { displayMode: display, throwOnError: false, output: 'htmlAndMathml' });
    })
    .join('');
}

/** The paragraphs of a rich text (blank-line separated). */
export function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

const cache = new Map<string, TemplateResult>();

/** The text as <p> elements with typeset math (cached: scenes re-render often while training). */
export function richText(text: string): TemplateResult {
  let result = cache.get(text);
  if (!result) {
    const body = paragraphs(text)
      .map((p) => `<p>${paragraphHtml(p)}</p>`)
      .join('');
    result = html`${unsafeHTML(body)}`;
    cache.set(text, result);
  }
  return result;
}
