/**
 * `<sngan-draw-pad>`: where a visitor draws the data of data=drawn. A brush lays points along a
 * stroke, an eraser removes the points near it; mouse, pen and touch alike (pointer events, and
 * `touch-action: none` so a finger draws instead of scrolling). Keyboard users add a ready shape
 * or clear. A stroke is edited locally and handed on (`drawing-change`, the new points) only when
 * it ends, so a run restarts once per stroke, not once per point. An empty drawing is not handed
 * on: the run keeps training on the last one until a point is drawn.
 *
 * Test hooks: `data-points` (points shown now) on the host, `data-testid="draw-canvas"`.
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import {
  addPoints,
  brushTo,
  DRAW_LIMIT,
  DRAWN_EXTENT,
  DRAWN_SHAPES,
  eraseAt,
  MAX_DRAWN_POINTS,
  shapePoints,
  type DrawnShape,
} from '../../data/drawn';
import { a11yStyles } from '../a11y/page-styles';
import { controlStyles } from '../controls/shared-styles';
import { REAL_DATA_COLOR } from '../palette';
import { worldToCanvas } from './field-render';

export const DRAWING_CHANGE_EVENT = 'drawing-change';
type Tool = 'brush' | 'eraser';

const capMessage = `${MAX_DRAWN_POINTS} points: the most a drawing (and its link) holds. Erase some to draw more.`;

@customElement('sngan-draw-pad')
export class DrawPad extends LitElement {
  /** The drawing the run trains on. */
  @property({ attribute: false }) points: readonly number[] = [];
  /** Side of the square pad in CSS px. */
  @property({ type: Number }) size = 290;
  /** The drawing being edited (a stroke under way, or cleared and not yet redrawn), else null. */
  @state() private draft: number[] | null = null;
  @state() private tool: Tool = 'brush';
  @state() private shape: DrawnShape = 'heart';
  @state() private message = '';
  @query('canvas') private canvas!: HTMLCanvasElement;
  /** The pointer drawing now, and where its stroke last laid a point. */
  private stroke: { id: number; at: [number, number] | null } | null = null;

  static override styles = [
    controlStyles,
    a11yStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 0.4rem;
      }
      canvas {
        border: 1px solid #888;
        touch-action: none;
        cursor: crosshair;
        background: #fff;
      }
      .tools {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem;
        align-items: center;
      }
      .status {
        min-height: 1.4em;
        color: #444;
        font-size: 0.9rem;
        max-width: var(--pad-width);
      }
    `,
  ];

  private get shown(): readonly number[] {
    return this.draft ?? this.points;
  }

  override render() {
    const s = this.size;
    const count = this.shown.length / 2;
    this.dataset.points = String(count);
    return html`
      <div class="tools" role="group" aria-label="Drawing tools">
        ${(['brush', 'eraser'] as const).map(
          (t) =>
            html`<button
              data-testid=${`draw-${t}`}
              aria-pressed=${this.tool === t ? 'true' : 'false'}
              @click=${() => (this.tool = t)}
            >
              ${t === 'brush' ? 'Brush' : 'Eraser'}
            </button>`,
        )}
        <button data-testid="draw-clear" @click=${() => this.clear()}>Clear</button>
      </div>
      <canvas
        data-testid="draw-canvas"
        aria-label="Drawing pad: drag to draw points with the brush or remove them with the eraser"
        role="img"
        style="width:${s}px;height:${s}px"
        @pointerdown=${this.onDown}
        @pointermove=${this.onMove}
        @pointerup=${this.onUp}
        @pointercancel=${this.onUp}
      ></canvas>
      <div class="tools">
        <label for="shape">Add a shape</label>
        <select
          id="shape"
          data-testid="draw-shape"
          @change=${(e: Event) => (this.shape = (e.target as HTMLSelectElement).value as DrawnShape)}
        >
          ${DRAWN_SHAPES.map((d) => html`<option value=${d.id} ?selected=${d.id === this.shape}>${d.title}</option>`)}
        </select>
        <button data-testid="draw-add-shape" @click=${() => this.addShape()}>Add</button>
      </div>
      <div class="status" role="status" data-testid="draw-status" style="--pad-width:${s}px">
        ${count} of ${MAX_DRAWN_POINTS} points. ${this.message}
      </div>
    `;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('points') && !this.stroke && this.draft?.length !== 0) this.draft = null;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    this.paint();
  }

  private paint(): void {
    const canvas = this.canvas;
    if (!canvas) return;
    const dpr = window.devicePixelRatio || 1;
    const px = Math.round(this.size * dpr);
    if (canvas.width !== px) [canvas.width, canvas.height] = [px, px];
    const g = canvas.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, this.size, this.size);
    const map = worldToCanvas(DRAWN_EXTENT, this.size, this.size);
    // The square points may lie in, and the axes.
    g.strokeStyle = '#ccc';
    g.setLineDash([4, 4]);
    g.strokeRect(map.x(-DRAW_LIMIT), map.y(DRAW_LIMIT), 2 * DRAW_LIMIT * map.sx, 2 * DRAW_LIMIT * map.sy);
    g.beginPath();
    g.moveTo(map.x(0), map.y(DRAW_LIMIT));
    g.lineTo(map.x(0), map.y(-DRAW_LIMIT));
    g.moveTo(map.x(-DRAW_LIMIT), map.y(0));
    g.lineTo(map.x(DRAW_LIMIT), map.y(0));
    g.stroke();
    g.setLineDash([]);
    g.fillStyle = REAL_DATA_COLOR;
    const p = this.shown;
    for (let i = 0; i < p.length; i += 2) {
      g.beginPath();
      g.arc(map.x(p[i]), map.y(p[i + 1]), 2.5, 0, 2 * Math.PI);
      g.fill();
    }
    if (p.length === 0) {
      g.fillStyle = '#666';
      g.font = '14px system-ui, sans-serif';
      g.textAlign = 'center';
      g.fillText('Draw here', this.size / 2, this.size / 2 - 12);
    }
  }

  /** The pointer's position in data coordinates. */
  private worldAt(e: PointerEvent): [number, number] {
    const box = this.canvas.getBoundingClientRect();
    const [x0, x1, y0, y1] = DRAWN_EXTENT;
    return [
      x0 + ((e.clientX - box.left) / box.width) * (x1 - x0),
      y1 - ((e.clientY - box.top) / box.height) * (y1 - y0),
    ];
  }

  private readonly onDown = (e: PointerEvent): void => {
    if (this.stroke || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    this.canvas.setPointerCapture?.(e.pointerId);
    this.stroke = { id: e.pointerId, at: null };
    this.draft = [...this.shown];
    this.message = '';
    this.extend(e);
  };

  private readonly onMove = (e: PointerEvent): void => {
    if (this.stroke?.id !== e.pointerId) return;
    // Coalesced events keep a fast stroke continuous where the browser batches moves.
    const events = e.getCoalescedEvents?.() ?? [];
    for (const each of events.length > 0 ? events : [e]) this.extend(each);
  };

  private readonly onUp = (e: PointerEvent): void => {
    if (this.stroke?.id !== e.pointerId) return;
    this.extend(e);
    this.stroke = null;
    this.commit();
  };

  private extend(e: PointerEvent): void {
    const stroke = this.stroke;
    const draft = this.draft;
    if (!stroke || !draft) return;
    const at = this.worldAt(e);
    if (this.tool === 'eraser') {
      this.draft = eraseAt(draft, at[0], at[1]);
      return;
    }
    const grown = [...draft];
    const result = brushTo(grown, stroke.at, at);
    stroke.at = result.at;
    if (result.capped) this.message = capMessage;
    if (grown.length !== draft.length) this.draft = grown;
  }

  private clear(): void {
    this.draft = [];
    this.message = 'Cleared: draw at least one point (training goes on with the last drawing until then).';
  }

  private addShape(): void {
    const { points, capped } = addPoints(this.shown, shapePoints(this.shape));
    this.draft = points;
    this.message = capped ? capMessage : '';
    this.commit();
  }

  /** Hands the edited drawing on when it has points and differs from the run's. */
  private commit(): void {
    const draft = this.draft;
    if (!draft || draft.length === 0) {
      if (draft) this.message ||= 'Draw at least one point: training goes on with the last drawing until then.';
      return;
    }
    // The draft stays shown until the run's drawing arrives (willUpdate), so nothing flickers back.
    if (draft.length === this.points.length && draft.every((v, i) => v === this.points[i])) {
      this.draft = null;
      return;
    }
    this.dispatchEvent(new CustomEvent(DRAWING_CHANGE_EVENT, { detail: draft, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sngan-draw-pad': DrawPad;
  }
}
