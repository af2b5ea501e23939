/**
 * A first live view until the full app exists: trains SN, WN and no normalization side by side on
 * the ring of 8 with the visitor's GPU (or the CPU backend, saying why), shows the step counter,
 * steps/s and each variant's latest statistics, and computes every D layer's exact spectrum in a
 * Web Worker every few hundred steps — training keeps going while it runs.
 */
import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { acquireGpu, describeAdapter } from '../gpu/device';
import type { Backend } from '../engine/backend';
import { CpuBackend } from '../engine/cpu-backend';
import { GpuBackend } from '../engine/gpu-backend';
import { defaultConfig, VARIANT_TITLES } from '../gan/config';
import { GanTrainer, type StepMetrics } from '../gan/trainer';
import { Rng } from '../reference/random';
import type { LayerWeights, SpectrumComputer } from '../spectra/spectra';
import { workerSpectrumComputer } from '../spectra/worker-client';

/** Hooks the end-to-end tests use; harmless for visitors. */
declare global {
  interface Window {
    snganPreview?: { steps(): number; heavySpectra(): Promise<{ layers: number; before: number; after: number }> };
  }
}

const fmt = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined ? '–' : Number.isFinite(x) ? x.toFixed(digits) : String(x);

@customElement('sngan-training-preview')
export class TrainingPreview extends LitElement {
  @state() private running = false;
  @state() private steps = 0;
  @state() private rate = 0;
  @state() private backendLine = '';
  @state() private problem = '';
  @state() private latest: StepMetrics[] = [];
  @state() private spectraNote = 'no spectra yet';
  private trainer: GanTrainer | undefined;
  private computer: SpectrumComputer | undefined;

  static override styles = css`
    :host {
      display: block;
      font:
        16px/1.5 system-ui,
        sans-serif;
      max-width: 60rem;
      margin: 2rem auto;
      padding: 0 1rem;
    }
    button {
      font: inherit;
      padding: 0.4rem 1rem;
    }
    table {
      border-collapse: collapse;
      margin-top: 0.5rem;
    }
    th,
    td {
      text-align: right;
      padding: 0.2rem 0.6rem;
      border-bottom: 1px solid #ddd;
    }
    th:first-child,
    td:first-child {
      text-align: left;
    }
    .problem {
      background: #fde8e8;
      border-left: 4px solid #d55e00;
      padding: 0.5rem 1rem;
    }
  `;

  private async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    let backend: Backend;
    try {
      const ctx = await acquireGpu(navigator.gpu, {
        onUncapturedError: (e) => (this.problem = `GPU error: ${e.message}`),
        onLost: (info) => {
          this.problem = `The GPU device was lost (${info.reason}). Reload to start again.`;
          this.running = false;
        },
      });
      backend = new GpuBackend(ctx);
      this.backendLine = `WebGPU on ${describeAdapter(ctx.adapter)}`;
    } catch (error) {
      backend = new CpuBackend();
      this.backendLine = `CPU backend (slower): ${(error as Error).message}`;
    }
    this.computer = workerSpectrumComputer();
    const trainer = new GanTrainer(
      backend,
      defaultConfig({ statsEvery: 10, spectraEvery: 200 }),
      undefined,
      undefined,
      this.computer,
    );
    this.trainer = trainer;
    trainer.onMetrics((batch) => (this.latest = batch));
    trainer.onSpectra((batch) => (this.spectraNote = `spectra of every D layer computed at step ${batch[0]?.step}`));
    window.snganPreview = {
      steps: () => trainer.steps,
      heavySpectra: () => this.heavySpectra(),
    };
    const began = performance.now();
    const frame = async () => {
      if (!this.running) return;
      // A few steps per frame; awaiting each statistics capture keeps the GPU queue short.
      for (let i = 0; i < 2 && trainer.liveVariants.length > 0; i++) await trainer.step();
      this.steps = trainer.steps;
      this.rate = (1000 * trainer.steps) / (performance.now() - began);
      requestAnimationFrame(() => void frame());
    };
    requestAnimationFrame(() => void frame());
  }

  /**
   * The paper-width CNN's largest layers through the same worker: seconds of work (tests use it).
   * Starts right after a statistics capture, when the loop is free to submit steps, and reports
   * the step counter before and after.
   */
  private async heavySpectra(): Promise<{ layers: number; before: number; after: number }> {
    await this.trainer!.statsSettled();
    const before = this.trainer!.steps;
    const rng = new Rng(3);
    const layers: LayerWeights[] = [
      [512, 2304],
      [256, 4096],
      [512, 2304],
      [256, 4096],
    ].map(([rows, cols]) => {
      const W = rng.normalArray(rows * cols, 0.05);
      return { name: `${rows}x${cols}`, shape: [rows, cols] as [number, number], W, Wbar: W, sigmaEstimate: null };
    });
    const spectra = await this.computer!(layers);
    return { layers: spectra.length, before, after: this.trainer!.steps };
  }

  override render() {
    return html`
      <h2>Live training preview</h2>
      <p>SN, WN and no normalization train side by side on the ring of 8 (setting C), same weights, noise and data.</p>
      <button data-testid="train" ?disabled=${this.running} @click=${() => void this.start()}>
        Train side by side
      </button>
      ${this.problem ? html`<p class="problem" role="alert">${this.problem}</p>` : ''}
      <p>
        ${this.backendLine} · step <strong data-testid="step-count">${this.steps}</strong> ·
        <span data-testid="steps-per-second">${fmt(this.rate, 1)}</span> steps/s · <span>${this.spectraNote}</span>
      </p>
      <table>
        <thead>
          <tr>
            <th>variant</th>
            <th>modes</th>
            <th>high quality %</th>
            <th>loss D</th>
            <th>loss G</th>
            <th>σ̃ per layer</th>
          </tr>
        </thead>
        <tbody>
          ${this.latest.map(
            (m) =>
              html`<tr>
                <td>
                  ${VARIANT_TITLES[m.variant]}${this.trainer?.status.get(m.variant)?.diverged ? ' (diverged)' : ''}
                </td>
                <td>${m.modesCovered ?? '–'}/8</td>
                <td>${fmt(m.highQuality, 1)}</td>
                <td>${fmt(m.lossD)}</td>
                <td>${fmt(m.lossG)}</td>
                <td>${m.sigma.length > 0 ? m.sigma.map((s) => fmt(s)).join(' ') : '–'}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    `;
  }
}
