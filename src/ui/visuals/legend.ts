/**
 * `<sngan-variant-swatch variant="sn">`: a variant's legend mark, a 28 px line in its colour and
 * dash pattern with its point marker in the middle, so colour is never the only cue.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { VARIANT_TITLES, type VariantName } from '../../gan/config';
import { VARIANT_STYLES } from '../palette';
import { markerIsStroked, markerSvgPath } from './field-render';

@customElement('sngan-variant-swatch')
export class VariantSwatch extends LitElement {
  @property({ type: String }) variant: VariantName = 'sn';

  static override styles = css`
    :host {
      display: inline-block;
      vertical-align: middle;
      line-height: 0;
    }
  `;

  override render() {
    const style = VARIANT_STYLES[this.variant];
    if (!style) return html``;
    const stroked = markerIsStroked(style.marker);
    const label = `${VARIANT_TITLES[this.variant]}: ${style.dashName} line, ${style.marker} marker`;
    return html`<svg width="28" height="12" viewBox="0 0 28 12" role="img" aria-label=${label}>
      <title>${label}</title>
      <line
        x1="0"
        y1="6"
        x2="28"
        y2="6"
        stroke=${style.color}
        stroke-width="2"
        stroke-dasharray=${style.dash.length > 0 ? style.dash.join(' ') : 'none'}
      />
      <path
        d=${markerSvgPath(style.marker, 14, 6, 3.5)}
        fill=${stroked ? 'none' : style.color}
        stroke=${stroked ? style.color : 'white'}
        stroke-width=${stroked ? 1.6 : 0.8}
      />
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sngan-variant-swatch': VariantSwatch;
  }
}
