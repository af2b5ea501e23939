/** The page until the app exists: the adapter in use and a self-test of every kernel family. */
import { LitElement, css, html } from 'lit';
import { a11yStyles } from './a11y/page-styles';
import { customElement, state } from 'lit/decorators.js';
import { acquireGpu, describeAdapter, type GpuContext } from '../gpu/device';
import { SELF_TEST_CASES } from '../selftest/cases';

interface Row {
  family: string;
  name: string;
  status: 'pending' | 'pass' | 'fail' | 'error';
  detail: string;
}

@customElement('sngan-selftest')
export class SelfTestPanel extends LitElement {
  @state() private adapter = '–';
  @state() private problem = '';
  @state() private rows: Row[] = SELF_TEST_CASES.map((c) => ({
    family: c.family,
    name: c.name,
    status: 'pending',
    detail: '',
  }));
  @state() private done = false;

  static override styles = css`
    ${a11yStyles}
    :host {
      display: block;
      font:
        16px/1.5 system-ui,
        sans-serif;
      max-width: 60rem;
      color: #1b1b1b;
    }
    h1 {
      font-size: 1.8rem;
      margin: 0 0 0.25rem;
    }
    .adapter {
      font-weight: 600;
    }
    .problem {
      background: #fde8e8;
      border-left: 4px solid #d55e00;
      padding: 0.5rem 1rem;
    }
    table {
      border-collapse: collapse;
      width: 100%;
      margin-top: 1rem;
    }
    th,
    td {
      text-align: left;
      padding: 0.3rem 0.6rem;
      border-bottom: 1px solid #ddd;
    }
    .pass {
      color: #007a52;
      font-weight: 600;
    }
    .fail,
    .error {
      color: #b34700;
      font-weight: 600;
    }
    .pending {
      color: #777;
    }
  `;

  /** Runs on request only: on a software adapter it takes a while and would compete with training. */
  @state() private started = false;

  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.adapter = 'looking for a WebGPU adapter…';
    let ctx: GpuContext;
    try {
      ctx = await acquireGpu(navigator.gpu, {
        onUncapturedError: (error) => (this.problem = `GPU error: ${error.message}`),
        onLost: (info) =>
          (this.problem = `The GPU device was lost (${info.reason}): ${info.message}. Reload the page to start again.`),
      });
    } catch (error) {
      this.adapter = 'no WebGPU adapter';
      this.problem = `${(error as Error).message} Use a browser with WebGPU enabled (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu).`;
      this.done = true;
      return;
    }
    const f = ctx.features;
    this.adapter = `${describeAdapter(ctx.adapter)} — timestamp-query ${f.timestampQuery ? 'yes' : 'no'}, subgroups ${f.subgroups ? 'yes' : 'no'}`;
    for (const [i, c] of SELF_TEST_CASES.entries()) {
      try {
        const result = await c.run(ctx);
        this.setRow(i, result.ok ? 'pass' : 'fail', `max |error| ${result.maxAbs.toExponential(2)}`);
      } catch (error) {
        this.setRow(i, 'error', (error as Error).message);
      }
    }
    ctx.buffers.destroyAll();
    this.done = true;
  }

  private setRow(i: number, status: Row['status'], detail: string): void {
    this.rows = this.rows.map((r, j) => (j === i ? { ...r, status, detail } : r));
  }

  override render() {
    const passed = this.rows.filter((r) => r.status === 'pass').length;
    return html`
      <p>
        Every kernel family against its float64 twin, on this adapter.
        <button data-testid="selftest-run" ?disabled=${this.started} @click=${() => void this.start()}>
          Run the kernel self-test
        </button>
      </p>
      <p>Adapter: <span class="adapter" data-testid="selftest-adapter">${this.adapter}</span></p>
      ${this.problem ? html`<p class="problem" role="alert" data-testid="selftest-problem">${this.problem}</p>` : ''}
      <table>
        <thead>
          <tr>
            <th>Kernel family</th>
            <th>Check against float64 twin</th>
            <th>Result</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          ${this.rows.map(
            (r) =>
              html`<tr data-testid="selftest-row">
                <td>${r.family}</td>
                <td>${r.name}</td>
                <td class=${r.status}>${r.status}</td>
                <td>${r.detail}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <p data-testid="summary" data-done=${this.done ? 'yes' : 'no'}>
        ${this.done ? `${passed} of ${this.rows.length} checks passed.` : this.started ? 'Running…' : 'Not run yet.'}
      </p>
    `;
  }
}
