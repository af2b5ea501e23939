/**
 * `<sngan-image-grid>`: one variant's generated images from a fixed z, greyscale ([−1, 1] →
 * black…white, clamped), nearest-neighbour upscaled. Non-finite pixels are red, so a diverged G
 * never looks like a black image; a diverged variant also gets a grey wash and a label.
 *
 * Data attributes for tests: `data-variant` and `data-drawn` (how many images the last draw put on
 * the canvas), set after every draw.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { ImageFrame } from '../view-model';
import { imagesToRgba } from './field-render';
import { frameOverlays, frameStyles, frameTitle, titleFontPx } from './frame-chrome';
import { cancelDraw, scheduleDraw } from '../draw-scheduler';
import '../export/image-export-buttons';
import { describeImages } from '../a11y/frame-text';

/** Smallest image in CSS px: a 28-pixel digit below this is no longer legible. */
const MIN_CELL = 12;

@customElement('sngan-image-grid')
export class ImageGrid extends LitElement {
  /** The title's font size in CSS px (see frameTitle). */
  @state() private titleFont = 13;
  @property({ attribute: false }) frame: ImageFrame | null = null;
  /** At most this many images per row, and at most columns × columns images are drawn. */
  @property({ type: Number }) columns = 8;
  /**
   * Width of the grid in CSS px. The images are laid out as a square (16 as 4 × 4, 64 as 8 × 8),
   * so a few samples come out large rather than as one thin strip.
   */
  @property({ type: Number }) side = 320;

  @query('canvas') private canvas!: HTMLCanvasElement;
  private tiles: HTMLCanvasElement | undefined;

  static override styles = [
    frameStyles,
    css`
      .plot {
        background: #fff;
      }
      .waiting {
        border: 1px solid #ddd;
      }
    `,
  ];

  /** How many images are drawn, in how many columns and rows, at how many CSS px each. */
  private get layout(): { n: number; cols: number; rows: number; cell: number } {
    const f = this.frame;
    const columns = Math.max(1, Math.floor(this.columns));
    const n =
      f && f.images
        ? Math.max(0, Math.min(f.count, columns * columns, Math.floor(f.images.length / (f.side * f.side))))
        : 0;
    // Before the first images: a square as large as a full grid, so nothing moves when they come.
    const cols = n > 0 ? Math.min(columns, Math.ceil(Math.sqrt(n))) : 1;
    const rows = n > 0 ? Math.ceil(n / cols) : 1;
    return { n, cols, rows, cell: Math.max(MIN_CELL, Math.floor(this.side / cols)) };
  }

  override render() {
    const f = this.frame;
    const { n, cols, rows, cell } = this.layout;
    const w = cols * cell;
    const h = rows * cell;
    return html`
      ${frameTitle(f, w, this.titleFont)}
      <div class="plot" style="width:${w}px;height:${h}px">
        <canvas style="width:${w}px;height:${h}px" role="img" aria-label=${describeImages(f, n)}></canvas>
        ${frameOverlays(n === 0, f?.diverged ?? null)}
        ${n > 0 ? html`<sngan-image-export></sngan-image-export>` : nothing}
      </div>
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The title's font follows the host's (presentation mode enlarges it): measured for its width check.
    const font = titleFontPx(this);
    if (font !== this.titleFont) this.titleFont = font;
    // The title is cut to the grid's width.
    const { cols, cell } = this.layout;
    this.style.setProperty('--frame-width', `${cols * cell}px`);
    if (changed.has('frame') || changed.has('columns') || changed.has('side')) scheduleDraw(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    cancelDraw(this);
  }

  /** Draws the grid (called by the draw scheduler). */
  draw(): void {
    const f = this.frame;
    if (f) this.setAttribute('data-variant', f.variant);
    else this.removeAttribute('data-variant');
    const { n, cols, rows, cell } = this.layout;
    const dpr = Math.max(1, window.devicePixelRatio || 1);
    const canvas = this.canvas;
    const width = Math.round(cols * cell * dpr);
    const height = Math.round(rows * cell * dpr);
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    if (f && f.images && n > 0) {
      const { rgba, width: tw, height: th } = imagesToRgba(f.images, f.side, n, cols);
      const tiles = (this.tiles ??= document.createElement('canvas'));
      if (tiles.width !== tw) tiles.width = tw;
      if (tiles.height !== th) tiles.height = th;
      const tctx = tiles.getContext('2d');
      if (!tctx) return;
      tctx.putImageData(new ImageData(rgba, tw, th), 0, 0);
      ctx.imageSmoothingEnabled = false;
      // One device pixel of white between images.
      const gap = Math.max(1, Math.round(dpr));
      for (let k = 0; k < n; k++) {
        const c = k % cols;
        const r = Math.floor(k / cols);
        const x0 = Math.round(c * cell * dpr);
        const y0 = Math.round(r * cell * dpr);
        const x1 = Math.round((c + 1) * cell * dpr) - gap;
        const y1 = Math.round((r + 1) * cell * dpr) - gap;
        ctx.drawImage(tiles, c * f.side, r * f.side, f.side, f.side, x0, y0, x1 - x0, y1 - y0);
      }
    }
    this.setAttribute('data-drawn', String(n));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sngan-image-grid': ImageGrid;
  }
}
