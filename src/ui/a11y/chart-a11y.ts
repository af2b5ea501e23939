/**
 * What a chart offers besides its picture: the canvas's aria-label says the latest values in words
 * (throttled: a screen reader reads the label when it reaches the chart, so once a second is
 * plenty, and it spares the frame loop), and a "show as table" toggle in the chart's corner turns
 * the chart's box into an HTML table of its data (same box, so nothing around it moves).
 */
import { css, html, nothing, unsafeCSS, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { chartTable, describeChart, type ChartFacts, type ChartTable } from './chart-text';
import { TOUCH_QUERY, TOUCH_TARGET_PX, touchSized } from './touch';

/** At most one new label (and table) per this many ms while a chart trains. */
export const DESCRIBE_EVERY_MS = 1000;

export class ChartA11y implements ReactiveController {
  tableShown = false;
  private table: ChartTable | null = null;
  private facts: ChartFacts | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastAt = -Infinity;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly read: () => ChartFacts,
    private readonly canvas: () => HTMLCanvasElement | null,
  ) {
    host.addController(this);
  }

  /** After each render: new data or a new title are described now, or at the end of the second. */
  hostUpdated(): void {
    const facts = this.read();
    const previous = this.facts;
    if (previous && previous.series === facts.series && previous.title === facts.title) return;
    this.facts = facts;
    if (this.timer !== undefined) return;
    const wait = this.lastAt + DESCRIBE_EVERY_MS - performance.now();
    if (wait <= 0) this.describe();
    else this.timer = setTimeout(() => this.describe(), wait);
  }

  hostDisconnected(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  toggleTable(): void {
    this.tableShown = !this.tableShown;
    this.table = this.tableShown && this.facts ? chartTable(this.facts) : null;
    this.host.requestUpdate();
  }

  private describe(): void {
    this.timer = undefined;
    this.lastAt = performance.now();
    const facts = this.facts;
    if (!facts) return;
    const label = describeChart(facts);
    const canvas = this.canvas();
    if (canvas && canvas.getAttribute('aria-label') !== label) canvas.setAttribute('aria-label', label);
    if (this.tableShown) {
      this.table = chartTable(facts);
      this.host.requestUpdate();
    }
  }

  /** The corner button that flips between the chart and its table. */
  renderToggle(title: string) {
    return html`<button
      class="as-table"
      data-testid="table-toggle"
      aria-pressed=${this.tableShown ? 'true' : 'false'}
      aria-label=${`Show ${title || 'the chart'} as a table`}
      title=${this.tableShown ? 'Back to the chart' : 'Show as a table'}
      @click=${() => this.toggleTable()}
    >
      <svg viewBox="0 0 16 16" aria-hidden="true">
        <path d="M1.5 2.5h13v11h-13zM1.5 6.2h13M1.5 9.8h13M6 2.5v11" fill="none" stroke="currentColor" />
      </svg>
    </button>`;
  }

  /** The table over the chart's box, or nothing while the chart shows. */
  renderTable(title: string) {
    const table = this.table;
    if (!this.tableShown || !table) return nothing;
    return html`<div class="table-view" role="region" aria-label=${`${title} as a table`} tabindex="0">
      <table data-testid="chart-table">
        <caption>
          ${title}${table.note ? html` — ${table.note}` : nothing}
        </caption>
        <thead>
          <tr>
            ${table.columns.map((c) => html`<th scope="col">${c}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${table.rows.map(
            ([x, ...cells]) =>
              html`<tr>
                <th scope="row">${x}</th>
                ${cells.map((c) => html`<td>${c}</td>`)}
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }
}

/** Width the chart keeps free at its top right for `buttons` corner buttons (px). */
export function cornerWidth(buttons: number, scale: number): number {
  const size = touchSized() ? TOUCH_TARGET_PX : 26 * scale;
  return buttons * size + (buttons - 1) * 4 + 4;
}

export const chartA11yStyles = css`
  .corner {
    position: absolute;
    top: 0;
    right: 0;
    z-index: 2;
    display: flex;
    gap: 4px;
    align-items: center;
    font-size: calc(15px * var(--chart-scale, 1));
  }
  button.as-table {
    display: inline-grid;
    place-items: center;
    width: 1.45em;
    height: 1.45em;
    min-width: 24px;
    min-height: 24px;
    padding: 0;
    border: 2px solid #0072b2;
    border-radius: 4px;
    background: #fff;
    color: #0072b2;
    cursor: pointer;
  }
  button.as-table svg {
    width: 70%;
    height: 70%;
  }
  button.as-table[aria-pressed='true'],
  button.as-table:hover {
    background: #0072b2;
    color: #fff;
  }
  button.as-table:focus-visible,
  .table-view:focus-visible {
    outline: 3px solid #000;
    outline-offset: 2px;
  }
  @media ${unsafeCSS(TOUCH_QUERY)} {
    button.as-table {
      width: ${TOUCH_TARGET_PX}px;
      height: ${TOUCH_TARGET_PX}px;
    }
  }
  .table-view {
    position: absolute;
    inset: 0;
    z-index: 1;
    overflow: auto;
    background: #fff;
    border: 1px solid #bbb;
    border-radius: 4px;
    font:
      calc(14px * var(--chart-scale, 1)) / 1.3 system-ui,
      sans-serif;
    color: #1a1a1a;
  }
  .table-view table {
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
  }
  .table-view caption {
    text-align: left;
    font-weight: 600;
    padding: 0.3em 0.5em;
    /* Clear of the corner buttons. */
    padding-right: 5em;
  }
  .table-view th,
  .table-view td {
    padding: 0.15em 0.6em;
    border-bottom: 1px solid #e4e4e4;
    text-align: right;
  }
  .table-view thead th {
    position: sticky;
    top: 0;
    background: #f4f6f8;
  }
`;
