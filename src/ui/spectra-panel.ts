/**
 * `<sngan-spectra-panel>`: the singular values of D's layers, the heart of the paper's argument.
 * Six views — the latest spectrum over index (a, b) or a per-layer statistic over training (c–f) —
 * for one chosen layer, or for all layers at once as small multiples.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { a11yStyles } from './a11y/page-styles';
import { customElement, property, state } from 'lit/decorators.js';
import type { VariantName } from '../gan/config';
import {
  SPECTRA_VIEWS,
  SPECTRA_VIEW_CAPTIONS,
  SPECTRA_VIEW_TITLES,
  VARIANT_SHORT,
  hasSpectra,
  isIndexView,
  spectraLayers,
  spectraViewSeries,
  type ChartSeries,
  type LayerOption,
  type SpectraView,
} from './charts/series';
import { VARIANT_STYLES } from './palette';
import type { MetricsHistory } from './view-model';
import './charts/line-chart';

interface AxisSpec {
  xLabel: string;
  yLabel: string;
  logY: boolean;
  yMin?: number;
  yMax?: number;
}

const AXES: Record<SpectraView, AxisSpec> = {
  a: { xLabel: 'index i', yLabel: 'σᵢ²/σ₁² of W̄', logY: false, yMin: 0, yMax: 1 },
  b: { xLabel: 'index i', yLabel: 'σᵢ of W̄ (log)', logY: true },
  c: { xLabel: 'step', yLabel: 'σ₁(W)', logY: false },
  d: { xLabel: 'step', yLabel: 'σ₁(W̄)', logY: false, yMin: 0 },
  e: { xLabel: 'step', yLabel: 'Σσᵢ²(W̄)', logY: false, yMin: 0 },
  f: { xLabel: 'step', yLabel: 'stable rank', logY: false, yMin: 0 },
};

@customElement('sngan-spectra-panel')
export class SpectraPanel extends LitElement {
  /** Pass a new Map (or call refresh()) when the history grows: series are derived on change only. */
  @property({ attribute: false }) history: MetricsHistory = new Map();
  /** The enabled variants, in display order. */
  @property({ attribute: false }) variants: VariantName[] = [];
  /** Steps between exact spectrum computations (for the "no spectra yet" message). */
  @property({ type: Number }) spectraEvery = 0;
  /** A lesson scene's fixed view: no view or layer controls, this view of this layer only. */
  @property({ attribute: false }) lockedView: SpectraView | null = null;
  /** The layer of a locked view ('richest': the one with the most singular values). */
  @property({ attribute: false }) lockedLayer: number | 'richest' = 'richest';
  /** Font and line scale of the charts (presentation mode). */
  @property({ type: Number }) scale = 1;
  /** Why some spectra are missing (the spectrum worker failed), or null. */
  @property({ attribute: false }) problem: string | null = null;

  @state() private view: SpectraView = 'a';
  @state() private layer = 0;
  private layerChosen = false;
  @state() private multiples = false;
  @state() private layers: LayerOption[] = [];
  @state() private main: ChartSeries[] = [];
  @state() private perLayer: ChartSeries[][] = [];
  @state() private ready = false;

  static override styles = css`
    ${a11yStyles}
    :host {
      display: block;
      font:
        var(--frame-font, 15px) / 1.4 system-ui,
        sans-serif;
    }
    .controls {
      display: flex;
      flex-wrap: wrap;
      gap: 0.6rem 1.2rem;
      align-items: center;
      margin-bottom: 0.6rem;
    }
    fieldset {
      display: flex;
      flex-wrap: wrap;
      border: 0;
      padding: 0;
      margin: 0;
    }
    legend {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
    }
    fieldset label {
      border: 1px solid #888;
      margin: 0 -1px -1px 0;
      padding: 0.25rem 0.6rem;
      cursor: pointer;
      background: #fff;
    }
    fieldset label:has(input:checked) {
      background: #0072b2;
      border-color: #0072b2;
      color: #fff;
    }
    fieldset label:has(input:focus-visible) {
      outline: 2px solid #000;
      outline-offset: 1px;
    }
    fieldset input {
      position: absolute;
      opacity: 0;
      width: 1px;
      height: 1px;
    }
    select {
      font: inherit;
      padding: 0.15rem 0.3rem;
    }
    .caption {
      margin: 0.3rem 0 0;
      color: #333;
    }
    .problem {
      margin: 0 0 0.6rem;
      padding: 0.4rem 0.6rem;
      border-left: 4px solid #d55e00;
      background: #fff4ec;
      color: #222;
    }
    .waiting {
      border: 1px dashed #bbb;
      border-radius: 4px;
      padding: 2rem 1rem;
      text-align: center;
      color: #555;
    }
    .multiples {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(220px, 1fr));
      gap: 0.6rem;
    }
    .key {
      display: flex;
      flex-wrap: wrap;
      gap: 0.3rem 1rem;
      margin-bottom: 0.4rem;
      font-size: var(--frame-font, 14px);
    }
    .key span {
      display: inline-flex;
      align-items: center;
      gap: 0.35rem;
    }
  `;

  /** Re-derives every series (for a history Map that was changed in place). */
  refresh(): void {
    this.derive();
    this.requestUpdate();
  }

  override willUpdate(changed: PropertyValues): void {
    if (
      changed.has('history') ||
      changed.has('variants') ||
      changed.has('view') ||
      changed.has('layer') ||
      changed.has('multiples') ||
      changed.has('lockedView') ||
      changed.has('lockedLayer')
    ) {
      if (this.lockedView) {
        this.view = this.lockedView;
        this.multiples = false;
        this.layerChosen = this.lockedLayer !== 'richest';
        if (this.lockedLayer !== 'richest') this.layer = this.lockedLayer;
      }
      this.derive();
    }
  }

  private derive(): void {
    this.ready = hasSpectra(this.history, this.variants);
    this.layers = spectraLayers(this.history, this.variants);
    if (this.layer >= this.layers.length && this.layers.length > 0) this.layer = 0;
    // Until the visitor picks one, show the layer with the most singular values (the richest spectrum).
    if (!this.layerChosen && this.layers.length > 0) {
      const rank = (l: LayerOption) => Math.min(l.shape[0], l.shape[1]);
      this.layer = this.layers.reduce((best, l) => (rank(l) > rank(best) ? l : best)).index;
    }
    if (this.multiples) {
      this.perLayer = this.layers.map((l) => spectraViewSeries(this.history, this.variants, this.view, l.index));
      this.main = [];
    } else {
      this.main = spectraViewSeries(this.history, this.variants, this.view, this.layer);
      this.perLayer = [];
    }
  }

  private onView(e: Event): void {
    const value = (e.target as HTMLInputElement).value as SpectraView;
    if (SPECTRA_VIEWS.includes(value)) this.view = value;
  }

  private onLayer(e: Event): void {
    this.layer = Number((e.target as HTMLSelectElement).value);
    this.layerChosen = true;
  }

  private onMultiples(e: Event): void {
    this.multiples = (e.target as HTMLInputElement).checked;
  }

  private renderControls() {
    return html`
      <div class="controls">
        <fieldset data-testid="spectra-view" @change=${this.onView}>
          <legend>View</legend>
          ${SPECTRA_VIEWS.map(
            (v) => html`
              <label>
                <input type="radio" name="spectra-view" value=${v} .checked=${this.view === v} />
                (${v}) ${SPECTRA_VIEW_TITLES[v]}
              </label>
            `,
          )}
        </fieldset>
        <label>
          Layer
          <select
            data-testid="spectra-layer"
            @change=${this.onLayer}
            ?disabled=${this.multiples || this.layers.length === 0}
          >
            ${this.layers.map(
              (l) => html`<option value=${l.index} ?selected=${l.index === this.layer}>${l.label}</option>`,
            )}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            data-testid="spectra-multiples"
            .checked=${this.multiples}
            @change=${this.onMultiples}
          />
          small multiples: all layers
        </label>
      </div>
    `;
  }

  private renderKey() {
    return html`
      <div class="key" aria-hidden="true">
        ${this.variants.map((v) => {
          const style = VARIANT_STYLES[v];
          return html`<span>
            <svg width="32" height="8" viewBox="0 0 32 8">
              <line
                x1="0"
                y1="4"
                x2="32"
                y2="4"
                stroke=${style.color}
                stroke-width="2.5"
                stroke-dasharray=${style.dash.length ? style.dash.join(' ') : 'none'}
              />
            </svg>
            ${VARIANT_SHORT[v]}
          </span>`;
        })}
        ${this.view === 'c' ? html`<span>(dotted thin: exact σ₁(W))</span>` : nothing}
        ${this.view === 'e' ? html`<span>(black dashed: d_out)</span>` : nothing}
      </div>
    `;
  }

  /** One chart of the chosen view: the main one, or a small multiple of one layer. */
  private chart(testid: string, series: ChartSeries[], title: string, compact: boolean) {
    const axes = AXES[this.view];
    return html`<sngan-line-chart
      ?compact=${compact}
      data-testid=${testid}
      .series=${series}
      .chartTitle=${title}
      .xLabel=${axes.xLabel}
      .xIntegers=${isIndexView(this.view)}
      .yLabel=${axes.yLabel}
      .logY=${axes.logY}
      .yMin=${axes.yMin}
      .yMax=${axes.yMax}
      .scale=${this.scale}
      .legend=${this.scale === 1}
      .info=${compact ? '' : (`spectra-${this.view}` as const)}
    ></sngan-line-chart>`;
  }

  private renderCharts() {
    if (!this.ready) {
      const every = this.spectraEvery > 0 ? `every ${this.spectraEvery} steps` : 'every few hundred steps';
      return html`<div class="waiting">Spectra appear after the first step, then ${every}.</div>`;
    }
    if (this.multiples) {
      return html`
        ${this.renderKey()}
        <div class="multiples">
          ${this.perLayer.map((series, i) =>
            this.chart(`chart-spectra-layer-${i}`, series, this.layers[i]?.label ?? `layer ${i + 1}`, true),
          )}
        </div>
      `;
    }
    const layer = this.layers[this.layer];
    const title = `${SPECTRA_VIEW_TITLES[this.view]}${layer ? ` — ${layer.label}` : ''}`;
    return this.chart('chart-spectra', this.main, title, false);
  }

  override render() {
    return html`
      ${this.problem ? html`<p class="problem" role="status" data-testid="spectra-problem">${this.problem}</p>` : nothing}
      ${this.lockedView ? this.renderKey() : this.renderControls()} ${this.renderCharts()}
      ${
        // A lesson scene's text says what its views show; the (i) holds the rest.
        this.lockedView
          ? nothing
          : html`<p class="caption">
              ${SPECTRA_VIEW_CAPTIONS[this.view]}
              ${isIndexView(this.view) ? html`Latest spectrum of each variant.` : nothing}
            </p>`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sngan-spectra-panel': SpectraPanel;
  }
}
