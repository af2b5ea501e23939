/**
 * `<sngan-field-view>`: one variant's 2-D picture, GAN Lab style. D's output as a light heatmap
 * (purple: judged fake, white: undecided, green: judged real; grey: NaN/∞), the real data in
 * faint black, the generated points in the variant's colour and marker, and ∇ₓD as arrows. A
 * diverged variant keeps its last picture under a grey wash and a label saying when it diverged.
 *
 * Data attributes for tests: `data-variant` (the frame's variant) and `data-drawn` (how many
 * generated points the last draw put on the canvas; finite ones only), set after every draw.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { REAL_DATA_COLOR, VARIANT_STYLES } from '../palette';
import type { FieldFrame } from '../view-model';
import {
  arrowSegments,
  cssRgb,
  divergingColor,
  fieldToRgba,
  markerIsStroked,
  robustMaxAbs,
  traceMarker,
  worldToCanvas,
} from './field-render';
import { frameOverlays, frameStyles, frameTitle, titleFontPx } from './frame-chrome';
import { cancelDraw, scheduleDraw } from '../draw-scheduler';
import '../export/image-export-buttons';
import { describeField } from '../a11y/frame-text';

/** Longest arrow on screen, in CSS px. */
const ARROW_MAX_PX = 28;
const ARROW_HEAD_PX = 4;
const POINT_RADIUS_PX = 2.5;
const REAL_POINT_PX = 2;

const fmtTick = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1));
const fmtScore = (v: number): string => (v >= 100 || v < 0.01 ? v.toExponential(1) : v.toPrecision(2));

@customElement('sngan-field-view')
export class FieldView extends LitElement {
  /** The title's font size in CSS px (see frameTitle). */
  @state() private titleFont = 13;
  @property({ attribute: false }) frame: FieldFrame | null = null;
  @property({ attribute: false }) realPoints: Float32Array | null = null;
  @property({ type: Boolean }) showArrows = false;
  @property({ type: Boolean }) showHeatmap = true;
  /** Side of the square plot in CSS px. */
  @property({ type: Number }) size = 300;

  @query('canvas') private canvas!: HTMLCanvasElement;
  private heat: HTMLCanvasElement | undefined;
  private real: HTMLCanvasElement | undefined;
  private realKey = '';
  private realFor: Float32Array | null = null;
  private sprite: { image: HTMLCanvasElement; half: number } | undefined;
  private spriteKey = '';

  static override styles = [
    frameStyles,
    css`
      .plot {
        border: 1px solid #ccc;
      }
      .tick {
        display: var(--frame-key-display, block);
        position: absolute;
        font-size: var(--frame-small-font, 10px);
        line-height: 1;
        color: #555;
        background: rgb(255 255 255 / 0.7);
        padding: 1px 2px;
        pointer-events: none;
      }
      .key {
        /* The lesson's presentation mode hides the key and the ticks: its (i) explains them. */
        display: var(--frame-key-display, flex);
        align-items: center;
        gap: 0.3rem;
        margin-top: 0.2rem;
        font-size: var(--frame-small-font, 11px);
        color: #555;
      }
      .bar {
        flex: 1;
        height: 8px;
        border: 1px solid #ddd;
      }
    `,
  ];

  private get hasData(): boolean {
    return this.frame !== null && (this.frame.field !== null || this.frame.samples !== null);
  }

  override render() {
    const f = this.frame;
    const s = this.size;
    return html`
      ${frameTitle(f, s, this.titleFont)}
      <div class="plot" style="width:${s}px;height:${s}px">
        <canvas style="width:${s}px;height:${s}px" role="img" aria-label=${describeField(f)}></canvas>
        ${
          f && this.hasData
            ? html`<span class="tick" style="left:1px;top:1px">y ${fmtTick(f.extent[3])}</span>
                <span class="tick" style="left:1px;bottom:1px"
                  >y ${fmtTick(f.extent[2])}, x ${fmtTick(f.extent[0])}</span
                >
                <span class="tick" style="right:1px;bottom:1px">x ${fmtTick(f.extent[1])}</span>`
            : nothing
        }
        ${frameOverlays(!this.hasData, f?.diverged ?? null)}
        ${this.hasData ? html`<sngan-image-export></sngan-image-export>` : nothing}
      </div>
      ${this.renderKey()}
    `;
  }

  private renderKey() {
    const f = this.frame;
    if (!f || !f.field || !this.showHeatmap) return nothing;
    const stops = [0, 0.25, 0.5, 0.75, 1].map((t) => `${cssRgb(divergingColor(t))} ${t * 100}%`).join(', ');
    const m = f.fieldIsProbability ? 0 : robustMaxAbs(f.field);
    const [lo, hi] = f.fieldIsProbability ? ['fake 0', '1 real'] : [`fake −${fmtScore(m)}`, `+${fmtScore(m)} real`];
    return html`<div class="key" style="width:${this.size}px">
      <span>D ${lo}</span><span class="bar" style="background:linear-gradient(to right, ${stops})"></span
      ><span>${hi}</span>
    </div>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The title's font follows the host's (presentation mode enlarges it): measured for its width check.
    const font = titleFontPx(this);
    if (font !== this.titleFont) this.titleFont = font;
    // The title is cut to the picture's width (plus its 1 px border).
    if (changed.has('size')) this.style.setProperty('--frame-width', `${this.size + 2}px`);
    if (
      changed.has('frame') ||
      changed.has('realPoints') ||
      changed.has('showArrows') ||
      changed.has('showHeatmap') ||
      changed.has('size')
    ) {
      scheduleDraw(this);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    cancelDraw(this);
  }

  /** Draws everything and records data-variant and data-drawn (called by the draw scheduler). */
  draw(): void {
    const f = this.frame;
    if (f) this.setAttribute('data-variant', f.variant);
    else this.removeAttribute('data-variant');
    const drawn = this.paint(this.canvas, Math.max(1, window.devicePixelRatio || 1));
    this.setAttribute('data-drawn', String(drawn));
  }

  /** The picture drawn afresh at `dpr` device pixels per CSS px (Save PNG draws at twice the screen's). */
  exportCanvas(dpr: number): HTMLCanvasElement {
    const canvas = document.createElement('canvas');
    this.paint(canvas, dpr);
    return canvas;
  }

  /** Draws everything on `canvas` at `dpr`; returns how many generated points it drew. */
  private paint(canvas: HTMLCanvasElement, dpr: number): number {
    const f = this.frame;
    const side = Math.round(this.size * dpr);
    // A lesson lays its views out again as the window settles and can pass a 0 px panel for a
    // frame; drawing the real-points layer at 0 px throws (seen at 768 × 1024, scene 1).
    if (side === 0) return 0;
    if (canvas.width !== side) canvas.width = side;
    if (canvas.height !== side) canvas.height = side;
    const ctx = canvas.getContext('2d');
    if (!ctx) return 0;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, side, side);
    let drawn = 0;
    if (f && this.hasData) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      const map = worldToCanvas(f.extent, this.size, this.size);
      if (this.showHeatmap && f.field) this.drawHeatmap(ctx, f);
      if (this.realPoints)
        ctx.drawImage(this.realLayer(this.realPoints, f.extent, side, dpr), 0, 0, this.size, this.size);
      if (f.samples) drawn = this.drawSamples(ctx, f, map, dpr);
      if (this.showArrows && f.samples && f.arrows) {
        const pxPerWorld = Math.min(map.sx, map.sy);
        const seg = arrowSegments(f.samples, f.arrows, f.arrows.length / 2, ARROW_MAX_PX / pxPerWorld);
        ctx.beginPath();
        for (let i = 0; i < seg.length; i += 4) {
          const x0 = map.x(seg[i]);
          const y0 = map.y(seg[i + 1]);
          const x1 = map.x(seg[i + 2]);
          const y1 = map.y(seg[i + 3]);
          ctx.moveTo(x0, y0);
          ctx.lineTo(x1, y1);
          const len = Math.hypot(x1 - x0, y1 - y0);
          if (len < 1) continue;
          const head = Math.min(ARROW_HEAD_PX, len / 2);
          const ux = (x1 - x0) / len;
          const uy = (y1 - y0) / len;
          // Two barbs at ±~27° from the shaft.
          ctx.moveTo(x1 - head * (ux - 0.5 * uy), y1 - head * (uy + 0.5 * ux));
          ctx.lineTo(x1, y1);
          ctx.lineTo(x1 - head * (ux + 0.5 * uy), y1 - head * (uy - 0.5 * ux));
        }
        ctx.strokeStyle = '#333';
        ctx.lineWidth = 1;
        ctx.stroke();
      }
      ctx.setTransform(1, 0, 0, 1, 0, 0);
    }
    return drawn;
  }

  private drawHeatmap(ctx: CanvasRenderingContext2D, f: FieldFrame): void {
    const g = f.gridSize;
    const heat = (this.heat ??= document.createElement('canvas'));
    if (heat.width !== g) heat.width = g;
    if (heat.height !== g) heat.height = g;
    const hctx = heat.getContext('2d');
    if (!hctx) return;
    hctx.putImageData(new ImageData(fieldToRgba(f.field!, g, f.fieldIsProbability), g, g), 0, 0);
    ctx.imageSmoothingEnabled = true;
    // Bilinear is enough for a smooth field, and much cheaper than 'high' on every refresh.
    ctx.imageSmoothingQuality = 'low';
    // Grid points sit at cell centres (src/gan/trainer.ts fieldGridPoints): the g × g image
    // stretched over the whole plot puts each pixel centre on its point.
    ctx.drawImage(heat, 0, 0, this.size, this.size);
  }

  /**
   * The real points never change during a run: drawn once into their own layer, then copied on
   * every refresh (a thousand small rectangles per refresh showed up in profiles).
   */
  private realLayer(points: Float32Array, extent: FieldFrame['extent'], side: number, dpr: number): HTMLCanvasElement {
    const key = `${side}:${extent.join(',')}`;
    if (this.real && this.realKey === key && this.realFor === points) return this.real;
    const layer = (this.real ??= document.createElement('canvas'));
    layer.width = side;
    layer.height = side;
    const ctx = layer.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const map = worldToCanvas(extent, this.size, this.size);
    const h = REAL_POINT_PX / 2;
    ctx.beginPath();
    for (let i = 0; i + 1 < points.length; i += 2) {
      const x = points[i];
      const y = points[i + 1];
      if (Number.isFinite(x) && Number.isFinite(y)) ctx.rect(map.x(x) - h, map.y(y) - h, REAL_POINT_PX, REAL_POINT_PX);
    }
    ctx.globalAlpha = 0.35;
    ctx.fillStyle = REAL_DATA_COLOR;
    ctx.fill();
    this.realKey = key;
    this.realFor = points;
    return layer;
  }

  /** One marker in the variant's colour and shape, at device resolution, stamped for every point. */
  private markerSprite(f: FieldFrame, dpr: number): { image: HTMLCanvasElement; half: number } {
    const key = `${f.variant}:${dpr}`;
    if (this.sprite && this.spriteKey === key) return this.sprite;
    const style = VARIANT_STYLES[f.variant];
    const half = POINT_RADIUS_PX + 1.5;
    const image = document.createElement('canvas');
    image.width = image.height = Math.ceil(2 * half * dpr);
    const ctx = image.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.beginPath();
    traceMarker(ctx, style.marker, half, half, POINT_RADIUS_PX);
    if (markerIsStroked(style.marker)) {
      ctx.strokeStyle = style.color;
      ctx.lineWidth = 1.2;
      ctx.stroke();
    } else {
      ctx.fillStyle = style.color;
      ctx.globalAlpha = 0.85;
      ctx.fill();
    }
    this.sprite = { image, half };
    this.spriteKey = key;
    return this.sprite;
  }

  private drawSamples(
    ctx: CanvasRenderingContext2D,
    f: FieldFrame,
    map: ReturnType<typeof worldToCanvas>,
    dpr: number,
  ): number {
    const { image, half } = this.markerSprite(f, dpr);
    const size = image.width / dpr;
    const p = f.samples!;
    let drawn = 0;
    for (let i = 0; i + 1 < p.length; i += 2) {
      const x = p[i];
      const y = p[i + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      ctx.drawImage(image, map.x(x) - half, map.y(y) - half, size, size);
      drawn++;
    }
    return drawn;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sngan-field-view': FieldView;
  }
}
