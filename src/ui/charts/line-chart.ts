/**
 * `<sngan-line-chart>`: one chart.js line chart of ChartSeries, redrawn many times per second while
 * training runs — no animation, the Chart and its datasets reused, data handed over unparsed.
 * Gaps (null points, from NaN/∞) stay gaps and a note says so; with no data at all it says it is
 * waiting instead of showing an empty axis box. For the end-to-end tests the host carries
 * data-points (non-null points over all series) and data-series (the series keys, comma-separated).
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import {
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  PointElement,
  Title,
  Tooltip,
  type ChartDataset,
  type ChartOptions,
} from 'chart.js';
import { countPoints, hasGaps, type ChartPoint, type ChartSeries } from './series';
import { cancelDraw, scheduleDraw } from '../draw-scheduler';
import type { ExplanationId } from '../../lesson/explanations';
import { ChartA11y, chartA11yStyles, cornerWidth } from '../a11y/chart-a11y';
import { a11yStyles } from '../a11y/page-styles';
import '../lesson/info-button';
import '../export/image-export-buttons';
import { fitTitle, textMeasure } from '../canvas-text';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Title);

type LineDataset = ChartDataset<'line', ChartPoint[]>;

/** Lines with more points than this are drawn without markers. */
const MARKER_LIMIT = 50;
const FONT_FAMILY = 'system-ui, sans-serif';

/** Properties that change the chart's options (the rest change only its data). */
const OPTION_PROPS = [
  'chartTitle',
  'xLabel',
  'yLabel',
  'logY',
  'yMin',
  'yMax',
  'compact',
  'xIntegers',
  'scale',
  'legend',
] as const;

@customElement('sngan-line-chart')
export class LineChart extends LitElement {
  @property({ attribute: false }) series: ChartSeries[] = [];
  @property() chartTitle = '';
  @property() xLabel = '';
  @property() yLabel = '';
  @property({ type: Boolean }) logY = false;
  @property({ type: Number }) yMin: number | undefined = undefined;
  @property({ type: Number }) yMax: number | undefined = undefined;
  @property({ type: Boolean, reflect: true }) compact = false;
  /** Whole-number ticks on x (singular-value index). */
  @property({ type: Boolean }) xIntegers = false;
  /** Multiplies fonts, lines and markers (presentation mode: readable from the back row). */
  @property({ type: Number }) scale = 1;
  /** The chart's own legend below the plot; off where the host shows a key of its own. */
  @property({ type: Boolean }) legend = true;
  /** The explanation behind the (i) in the chart's corner; none when unset. */
  @property() info: ExplanationId | '' = '';

  @query('canvas') private canvas!: HTMLCanvasElement;
  private chart: Chart<'line', ChartPoint[]> | null = null;
  private keys = '';
  private points = 0;
  private gaps = false;
  /** The canvas's label in words and the "show as table" view. */
  private readonly a11y = new ChartA11y(
    this,
    () => ({ title: this.chartTitle, xLabel: this.xLabel, index: this.xIntegers, series: this.series }),
    () => this.renderRoot.querySelector('canvas'),
  );

  static override styles = css`
    ${a11yStyles}
    ${chartA11yStyles}
    :host {
      display: block;
      min-width: 0;
    }
    .box {
      position: relative;
      height: var(--chart-height, 260px);
    }
    :host([compact]) .box {
      height: var(--chart-height, 170px);
    }
    .box:hover > sngan-image-export {
      opacity: 1;
    }
    canvas.hidden {
      visibility: hidden;
    }
    .empty {
      position: absolute;
      inset: 0;
      display: flex;
      flex-direction: column;
      align-items: center;
      justify-content: center;
      gap: 0.3rem;
      border: 1px dashed #bbb;
      border-radius: 4px;
      color: #555;
      font:
        calc(15px * var(--chart-scale, 1)) / 1.3 system-ui,
        sans-serif;
      text-align: center;
    }
    .empty strong {
      font-size: calc(17px * var(--chart-scale, 1));
      color: #222;
    }
    :host([compact]) .empty,
    :host([compact]) .empty strong {
      font-size: 11px;
    }
    .note {
      margin: 0.15rem 0 0;
      font:
        calc(12px * var(--chart-scale, 1)) / 1.3 system-ui,
        sans-serif;
      color: #555;
    }
  `;

  private visibility: IntersectionObserver | null = null;
  /** Until the observer reports, assume visible (the first draw must happen). */
  private onScreen = true;
  private stale = false;

  override connectedCallback(): void {
    super.connectedCallback();
    this.visibility ??= new IntersectionObserver(([entry]) => {
      this.onScreen = entry.isIntersecting;
      if (this.onScreen && this.stale) scheduleDraw(this);
    });
    this.visibility.observe(this);
    // Reconnected after a disconnect destroyed the chart: draw it again.
    if (this.hasUpdated && !this.chart) this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    cancelDraw(this);
    this.visibility?.disconnect();
    this.visibility = null;
    this.chart?.destroy();
    this.chart = null;
    this.keys = '';
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('series')) {
      this.points = countPoints(this.series);
      this.gaps = hasGaps(this.series);
    }
  }

  override render() {
    const empty = this.points === 0;
    return html`
      <div class="box">
        <div class="corner">
          ${this.a11y.renderToggle(this.chartTitle)}
          ${this.info ? html`<sngan-info .topic=${this.info}></sngan-info>` : nothing}
        </div>
        ${
          empty
            ? nothing
            : html`<sngan-image-export
                style=${`right: ${cornerWidth(this.info ? 2 : 1, this.scale)}px`}
              ></sngan-image-export>`
        }
        <!-- The label (latest values in words) is set by this.a11y, at most once a second. -->
        <canvas class=${empty ? 'hidden' : ''} role="img"></canvas>
        ${this.a11y.renderTable(this.chartTitle)}
        ${
          empty
            ? html`<div class="empty">
                ${this.chartTitle && !this.compact ? html`<strong>${this.chartTitle}</strong>` : nothing}
                <span>waiting for data…</span>
              </div>`
            : nothing
        }
      </div>
      ${this.gaps && !empty ? html`<p class="note">gaps = NaN/∞ (diverged)</p>` : nothing}
    `;
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('scale')) this.style.setProperty('--chart-scale', String(this.scale));
    if (!this.chart) {
      this.chart = new Chart(this.canvas, {
        type: 'line',
        data: { datasets: [] },
        options: this.buildOptions(),
      });
      this.keys = '';
    } else if (OPTION_PROPS.some((p) => changed.has(p))) {
      this.chart.options = this.buildOptions();
    }
    this.syncDatasets();
    if (this.xIntegers && changed.has('series')) {
      // An index axis ends at the last index (chart.js would round 64 up to 70).
      let last = 1;
      for (const series of this.series) for (const p of series.points) last = Math.max(last, p.x);
      const x = this.chart.options.scales?.x;
      if (x) x.max = last;
    }
    scheduleDraw(this);
  }

  /** Redraws the chart (called by the draw scheduler, at most a few charts per task). */
  draw(): void {
    if (!this.chart) return;
    // Off-screen charts are redrawn when they scroll into view, not on every refresh.
    if (!this.onScreen) {
      this.stale = true;
      return;
    }
    this.stale = false;
    this.chart.update('none');
    this.setAttribute('data-points', String(this.points));
    this.setAttribute('data-series', this.series.map((s) => s.key).join(','));
  }

  private syncDatasets(): void {
    const chart = this.chart!;
    const keys = this.series.map((s) => s.key).join(',');
    if (keys !== this.keys) {
      chart.data.datasets = this.series.map((s) => this.toDataset(s, {} as LineDataset));
      this.keys = keys;
      return;
    }
    this.series.forEach((s, i) => this.toDataset(s, chart.data.datasets[i] as LineDataset));
  }

  private toDataset(s: ChartSeries, d: LineDataset): LineDataset {
    const markers = s.showPoints ?? s.points.length <= MARKER_LIMIT;
    d.label = s.label;
    d.data = s.points;
    d.borderColor = s.color;
    d.backgroundColor = s.color;
    d.borderDash = s.dash;
    const k = this.scale;
    d.borderWidth = (s.width ?? (this.compact ? 1.5 : 2.2)) * k;
    d.pointRadius = markers ? (this.compact ? 1.5 : 2.5) * k : 0;
    d.pointHoverRadius = (markers ? 4 : 3) * k;
    d.pointHitRadius = 4;
    d.spanGaps = false;
    d.fill = false;
    d.tension = 0;
    d.normalized = true;
    d.parsing = false;
    return d;
  }

  private titleSize(): number {
    return (this.compact ? 12 : 17) * this.scale;
  }

  /**
   * The title's lines and font size for the chart's width: chart.js squeezes one long line into
   * condensed, unreadable glyphs (scene 2's titles at 720p), so a narrow chart's title first gets
   * a little smaller, then a second line.
   */
  private fittedTitle(chartWidth: number): { lines: string[]; size: number } {
    const size = this.titleSize();
    const width = chartWidth - cornerWidth(this.info ? 2 : 1, this.scale);
    if (width <= 0) return { lines: [this.chartTitle], size };
    return fitTitle(this.chartTitle, width, size, (px) => textMeasure(`bold ${px}px ${FONT_FAMILY}`));
  }

  private buildOptions(): ChartOptions<'line'> {
    const base = (this.compact ? 11 : 15) * this.scale;
    const title = this.fittedTitle(this.clientWidth);
    const font = { family: FONT_FAMILY, size: base };
    // Steps and singular-value indices are whole numbers from 0: no 0.90…1.05 axis around step 1.
    const wholeX = this.xIntegers || this.xLabel === 'step';
    const axisTitle = (text: string) => ({ display: text !== '' && !this.compact, text, font, color: '#222' });
    return {
      animation: false,
      // Room for the corner's buttons (table, (i)), so a long title never runs under them.
      layout: { padding: { left: 0, right: cornerWidth(this.info ? 2 : 1, this.scale), top: 0, bottom: 0 } },
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      spanGaps: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      onResize: (chart, size) => {
        const title = chart.options.plugins?.title;
        if (!title || !this.chartTitle) return;
        const fitted = this.fittedTitle(size.width);
        title.text = fitted.lines;
        title.font = { family: FONT_FAMILY, size: fitted.size, weight: 'bold' };
      },
      plugins: {
        title: {
          display: this.chartTitle !== '',
          text: title.lines,
          font: { family: FONT_FAMILY, size: title.size, weight: 'bold' },
          color: '#111',
          padding: { top: 2, bottom: this.compact ? 2 : 6 },
        },
        legend: {
          display: !this.compact && this.legend,
          position: 'bottom',
          labels: {
            font,
            color: '#222',
            boxWidth: 28 * this.scale,
            boxHeight: 2 * this.scale,
            padding: 10 * this.scale,
            useBorderRadius: false,
            filter: (item) => this.series[item.datasetIndex ?? -1]?.legend !== false,
          },
        },
        tooltip: {
          enabled: true,
          titleFont: font,
          bodyFont: font,
          callbacks: {
            title: (items) => (items.length ? `${this.xLabel || 'x'} ${items[0].parsed.x}` : ''),
          },
        },
      },
      scales: {
        x: {
          type: 'linear',
          title: axisTitle(this.xLabel),
          ...(wholeX ? { beginAtZero: true } : {}),
          ticks: {
            font,
            color: '#333',
            maxTicksLimit: this.compact ? 4 : 8,
            maxRotation: 0,
            ...(wholeX ? { precision: 0 } : {}),
          },
          grid: { color: '#e4e4e4', lineWidth: this.scale },
        },
        y: {
          type: this.logY ? 'logarithmic' : 'linear',
          title: axisTitle(this.yLabel),
          ticks: { font, color: '#333', maxTicksLimit: this.compact ? 4 : 8 },
          grid: { color: '#e4e4e4', lineWidth: this.scale },
          ...(this.yMin !== undefined ? { min: this.yMin } : {}),
          ...(this.yMax !== undefined ? { max: this.yMax } : {}),
        },
      },
    };
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sngan-line-chart': LineChart;
  }
}
