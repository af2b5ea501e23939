/**
 * `<sngan-samples>`: what each variant generates, side by side — the 2-D field views (D's
 * heatmap, real and generated points, ∇ₓD arrows) or the digit grids — for the sandbox page and
 * the lesson's scenes alike. The host sets the size of one panel.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { VariantName } from '../../gan/config';
import type { RunState } from '../state/store';
import './field-view';
import './image-grid';

@customElement('sngan-samples')
export class SamplesView extends LitElement {
  @property({ attribute: false }) run: RunState | null = null;
  @property({ attribute: false }) variants: VariantName[] = [];
  @property({ type: Boolean }) images = false;
  @property({ type: Boolean }) arrows = false;
  @property({ type: Boolean }) heatmap = true;
  /** Side of one 2-D plot in CSS px, and the width of a digit grid. */
  @property({ type: Number }) size = 290;

  static override styles = css`
    :host {
      display: flex;
      flex-wrap: wrap;
      gap: 1rem;
    }
  `;

  override render() {
    const run = this.run;
    if (!run) return html``;
    if (this.images) {
      return this.variants.map(
        (v) =>
          html`<sngan-image-grid
            data-testid=${`images-${v}`}
            .frame=${run.images[v] ?? null}
            .columns=${8}
            .side=${this.size}
          ></sngan-image-grid>`,
      );
    }
    return this.variants.map(
      (v) =>
        html`<sngan-field-view
          data-testid=${`field-${v}`}
          .frame=${run.fields[v] ?? null}
          .realPoints=${run.realPoints}
          .showArrows=${this.arrows}
          .showHeatmap=${this.heatmap}
          .size=${this.size}
        ></sngan-field-view>`,
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sngan-samples': SamplesView;
  }
}
