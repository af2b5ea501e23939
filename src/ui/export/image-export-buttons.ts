/**
 * `<sngan-image-export>`: two small buttons in a chart's or view's corner — Save PNG and, where
 * the browser lets pages write images to the clipboard, Copy image. They only ask: the page
 * (which knows the run for the caption) answers the EXPORT_IMAGE_EVENT they send. Icons without
 * text, so the lesson's presentation mode (whose text must read from the back row) is not crowded.
 * Hidden until the pointer is over the chart or view, whose styles reveal it
 * (`.box:hover > sngan-image-export { opacity: 1 }`).
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { a11yStyles } from '../a11y/page-styles';
import { canCopyImages } from './download';
import { EXPORT_IMAGE_EVENT, type ExportImageDetail } from './export-image';

const SAVE_ICON = html`<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
  <path d="M8 1v9M4 6l4 4 4-4M2 12v2h12v-2" fill="none" stroke="currentColor" stroke-width="1.6" />
</svg>`;
const COPY_ICON = html`<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
  <rect x="5" y="5" width="9" height="9" fill="none" stroke="currentColor" stroke-width="1.5" />
  <path d="M3 11V2h9" fill="none" stroke="currentColor" stroke-width="1.5" />
</svg>`;

@customElement('sngan-image-export')
export class ImageExportButtons extends LitElement {
  static override styles = css`
    ${a11yStyles}
    :host {
      position: absolute;
      top: 0;
      right: 0;
      z-index: 1;
      display: flex;
      gap: 2px;
      line-height: 0;
      /* Shown while the pointer is over the chart or view (its styles say so) or a button has focus:
         a long chart title runs under this corner. */
      opacity: 0;
      transition: opacity 0.15s;
    }
    :host(:hover),
    :host(:focus-within) {
      opacity: 1;
    }
    @media (hover: none) {
      :host {
        opacity: 0.8;
      }
    }
    button {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 24px;
      height: 24px;
      padding: 0;
      border: 1px solid #999;
      border-radius: 4px;
      background: #fff;
      color: #222;
      cursor: pointer;
    }
    button:focus-visible {
      outline: 2px solid #000;
      outline-offset: 1px;
    }
  `;

  private ask(action: ExportImageDetail['action']): void {
    const root = this.getRootNode();
    const source = root instanceof ShadowRoot ? root.host : this.parentElement;
    if (!source) return;
    const detail: ExportImageDetail = { action, source };
    this.dispatchEvent(new CustomEvent(EXPORT_IMAGE_EVENT, { detail, bubbles: true, composed: true }));
  }

  override render() {
    return html`<button
        type="button"
        data-testid="save-png"
        title="Save PNG (twice the screen's resolution, with a caption)"
        aria-label="Save PNG"
        @click=${() => this.ask('save')}
      >
        ${SAVE_ICON}</button
      >${
        canCopyImages()
          ? html`<button
              type="button"
              data-testid="copy-image"
              title="Copy image"
              aria-label="Copy image"
              @click=${() => this.ask('copy')}
            >
              ${COPY_ICON}
            </button>`
          : nothing
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sngan-image-export': ImageExportButtons;
  }
  interface HTMLElementEventMap {
    'sngan-export-image': CustomEvent<ExportImageDetail>;
  }
}
