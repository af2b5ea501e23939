/**
 * `<sngan-training-charts>`: the training curves of every enabled variant side by side — both
 * losses, D's outputs on real and generated data, mode coverage (2-D) or digit score and FID
 * (images), the gradient norm ‖∇ₓD(x)‖ (the Lipschitz story of the paper) and the training speed.
 * Series are derived only when the inputs change; the charts redraw without animation.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { GanLossKind } from '../engine/backend';
import type { VariantName } from '../gan/config';
import { metricSeries, positiveOnly, rateSeries, type ChartSeries } from './charts/series';
import type { MetricsHistory, RatePoint } from './view-model';
import type { TrainingChartId } from '../lesson/scenes';
import type { ExplanationId } from '../lesson/explanations';
import './charts/line-chart';

interface ChartSpec {
  id: TrainingChartId;
  testid: string;
  title: string;
  yLabel: string;
  series: ChartSeries[];
  logY?: boolean;
  yMin?: number;
  yMax?: number;
}

const STEP = 'step';

@customElement('sngan-training-charts')
export class TrainingCharts extends LitElement {
  /** Pass a new Map (or call refresh()) when the history grows: series are derived on change only. */
  @property({ attribute: false }) history: MetricsHistory = new Map();
  /** The enabled variants, in display order. */
  @property({ attribute: false }) variants: VariantName[] = [];
  @property({ attribute: false }) rates: RatePoint[] = [];
  @property() loss: GanLossKind = 'standard';
  @property() dataKind: '2d' | 'images' = '2d';
  /** Number of modes of the 2-D mixture (the coverage chart's y maximum), or null. */
  @property({ attribute: false }) modes: number | null = null;
  /** Only these charts, in this order (a lesson scene); every chart and the speed when null. */
  @property({ attribute: false }) only: TrainingChartId[] | null = null;
  /**
   * Font and line scale of every chart (presentation mode). A scaled chart drops its own legend:
   * on a slide the samples' labels or the spectrum's key name the lines, and six legend entries
   * in a short, scaled chart pushed the plot out of its box (scene 7 at 720p).
   */
  @property({ type: Number }) scale = 1;
  /** Why some digit scores are missing (the digit-score worker failed), or null. */
  @property({ attribute: false }) scoreProblem: string | null = null;

  @state() private charts: ChartSpec[] = [];
  @state() private rateChart: ChartSeries[] = [];

  static override styles = css`
    :host {
      display: block;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(360px, 1fr));
      gap: 1rem 1.25rem;
    }
    .grid.only {
      grid-template-columns: minmax(0, 1fr);
    }
    sngan-line-chart {
      min-width: 0;
    }
    .problem {
      margin: 0 0 0.6rem;
      padding: 0.4rem 0.6rem;
      border-left: 4px solid #d55e00;
      background: #fff4ec;
      color: #222;
    }
  `;

  /** Re-derives every series (for a history Map that was changed in place). */
  refresh(): void {
    this.derive();
    this.requestUpdate();
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (
      changed.has('history') ||
      changed.has('variants') ||
      changed.has('loss') ||
      changed.has('dataKind') ||
      changed.has('modes')
    ) {
      this.derive();
    }
    if (changed.has('rates')) this.rateChart = rateSeries(this.rates);
  }

  private derive(): void {
    const h = this.history;
    const v = this.variants;
    const probability = this.loss === 'standard';
    const dReal = metricSeries(h, v, (m) => m.dReal, 'D(x)');
    // One legend entry per variant: the title says which line is which.
    const dFake = metricSeries(h, v, (m) => m.dFake, 'D(G(z))', { secondary: true }).map((s) => ({
      ...s,
      legend: false,
    }));
    const outputs = v.flatMap((_, i) => [dReal[i], dFake[i]]);
    const charts: ChartSpec[] = [
      {
        id: 'loss-d',
        testid: 'chart-loss-d',
        title: 'Discriminator loss',
        yLabel: 'loss',
        series: metricSeries(h, v, (m) => m.lossD),
      },
      {
        id: 'loss-g',
        testid: 'chart-loss-g',
        title: 'Generator loss',
        yLabel: 'loss',
        series: metricSeries(h, v, (m) => m.lossG),
      },
      {
        id: 'd-outputs',
        testid: 'chart-d-outputs',
        title: 'D(x) on real (thick) vs D(G(z)) on generated (thin dotted)',
        yLabel: probability ? 'mean D (probability)' : `mean critic score (${this.loss})`,
        series: outputs,
        ...(probability ? { yMin: 0, yMax: 1 } : {}),
      },
    ];
    if (this.dataKind === '2d') {
      charts.push(
        {
          id: 'coverage',
          testid: 'chart-coverage',
          title: this.modes ? `Modes covered (of ${this.modes})` : 'Modes covered',
          yLabel: 'modes',
          series: metricSeries(h, v, (m) => m.modesCovered),
          yMin: 0,
          ...(this.modes ? { yMax: this.modes } : {}),
        },
        {
          id: 'quality',
          testid: 'chart-quality',
          title: 'High-quality samples',
          yLabel: '% within 3σ of a mode',
          series: metricSeries(h, v, (m) => m.highQuality),
          yMin: 0,
          yMax: 100,
        },
      );
    } else {
      charts.push(
        {
          id: 'coverage',
          testid: 'chart-coverage',
          title: 'Digit score (Inception-style, higher is better)',
          yLabel: 'score',
          series: metricSeries(h, v, (m) => m.inceptionScore),
          // The score lies between 1 (one class, or no confidence) and 10 (ten confident classes).
          yMin: 1,
          yMax: 10,
        },
        {
          id: 'fid',
          testid: 'chart-fid',
          title: 'FID (digit features, lower is better)',
          yLabel: 'FID (log)',
          series: positiveOnly(metricSeries(h, v, (m) => m.fid)),
          logY: true,
        },
      );
    }
    charts.push({
      id: 'grad-norm',
      testid: 'chart-grad-norm',
      title: 'Gradient norm ‖∇ₓD(x)‖ on real data',
      yLabel: 'mean ‖∇ₓD(x)‖ (log)',
      series: positiveOnly(metricSeries(h, v, (m) => m.gradNorm)),
      logY: true,
    });
    this.charts = charts;
  }

  private shownCharts(): ChartSpec[] {
    const only = this.only;
    if (!only) return this.charts;
    return only.flatMap((id) => this.charts.filter((c) => c.id === id));
  }

  override render() {
    const scoreShown =
      this.dataKind === 'images' && this.shownCharts().some((c) => c.id === 'coverage' || c.id === 'fid');
    return html`
      ${
        this.scoreProblem && scoreShown
          ? html`<p class="problem" role="status" data-testid="score-problem">${this.scoreProblem}</p>`
          : nothing
      }
      <div class="grid ${this.only ? 'only' : ''}">
        ${this.shownCharts().map(
          (c) => html`
            <sngan-line-chart
              data-testid=${c.testid}
              .series=${c.series}
              .chartTitle=${c.title}
              .xLabel=${STEP}
              .yLabel=${c.yLabel}
              .logY=${c.logY ?? false}
              .yMin=${c.yMin}
              .yMax=${c.yMax}
              .scale=${this.scale}
              .legend=${this.scale === 1}
              .info=${c.testid as ExplanationId}
            ></sngan-line-chart>
          `,
        )}
        ${this.only ? nothing : this.renderRate()}
      </div>
    `;
  }

  private renderRate() {
    return html`<sngan-line-chart
      data-testid="chart-rate"
      .series=${this.rateChart}
      .chartTitle=${'Training speed'}
      .xLabel=${'seconds of training'}
      .yLabel=${'per second'}
      .yMin=${0}
      .info=${'chart-rate'}
    ></sngan-line-chart>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sngan-training-charts': TrainingCharts;
  }
}
