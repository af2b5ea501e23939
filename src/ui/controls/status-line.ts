/**
 * One line that says what is happening: which backend (and why the CPU, if so), the step, the
 * speed in steps and frames per second, the run's GPU memory (live buffers and bytes of the
 * registry; tensors on the CPU backend), and each variant's state (training, diverged at step N).
 */
import { css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { VARIANT_TITLES } from '../../gan/config';
import { recordingLabelText } from '../../recording/recording-label';
import '../visuals/legend';
import '../lesson/info-button';
import { controlStyles } from './shared-styles';
import { a11yStyles } from '../a11y/page-styles';
import { StoreElement } from './store-element';
import { memoryText } from './memory-text';

const PHASE_WORDS = {
  idle: 'starting…',
  starting: 'preparing the run…',
  running: 'training',
  paused: 'paused',
  recovering: 'recovering…',
  failed: 'stopped',
} as const;

@customElement('sngan-status-line')
export class StatusLine extends StoreElement {
  static override styles = [
    controlStyles,
    a11yStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem 1.2rem;
        align-items: center;
        padding: 0.45rem 0.8rem;
        background: #f4f6f8;
        border-radius: 8px;
      }
      /* Darker shades of the palette's green and orange: white text on them reads at 5.4:1 and
         5.5:1 (WCAG AA asks 4.5:1; #009e73 gave 3.4:1). */
      .badge {
        font-weight: 600;
        padding: 0.1rem 0.55rem;
        border-radius: 999px;
        color: #fff;
        background: #007a58;
      }
      .badge.cpu {
        background: #b34700;
      }
      .badge.recording {
        background: #56b4e9;
        color: #10212b;
      }
      .reason {
        color: #7a3300;
      }
      .step {
        font-variant-numeric: tabular-nums;
        font-size: 1.2rem;
      }
      /* The variants on a row of their own: the line keeps its height whatever the adapter's name. */
      .variants {
        flex-basis: 100%;
        display: flex;
        flex-wrap: wrap;
        gap: 0.2rem 1.2rem;
      }
      .memory {
        font-variant-numeric: tabular-nums;
        color: #444;
      }
      .chip {
        display: inline-flex;
        gap: 0.3rem;
        align-items: center;
        font-variant-numeric: tabular-nums;
      }
      .chip.diverged {
        color: #a00;
        font-weight: 600;
      }
    `,
  ];

  override render() {
    const run = this.store.run;
    const b = run.backend;
    const phase = run.hiddenPause ? 'paused (tab hidden)' : PHASE_WORDS[run.phase];
    const live = run.phase === 'running' && !run.recording;
    const rate = live ? run.stepsPerSecond.toFixed(run.stepsPerSecond < 10 ? 1 : 0) : '–';
    const diverged = Object.keys(run.diverged).filter((v) => !run.variants.includes(v as never));
    // Until the run reports its variants, the chosen ones hold their places (the page does not jump).
    const everyone =
      run.variants.length + diverged.length > 0 ? [...run.variants, ...diverged] : this.store.settings.variants;
    // A recording names what it was recorded on instead of this device (whose speed it does not show).
    const source = run.recording
      ? html`<span class="badge recording" data-testid="backend-badge" data-kind="recording">Recording</span>
          <span data-testid="recording-label">${recordingLabelText(run.recording)}</span>`
      : null;
    return html`
      ${
        source ??
        (b
          ? html`<span class="badge ${b.kind}" data-testid="backend-badge" data-kind=${b.kind}>
                ${b.kind === 'webgpu' ? 'WebGPU' : 'CPU fallback'}
              </span>
              <span data-testid="adapter">${b.description}</span>
              ${
                b.fallbackReason
                  ? html`<span class="reason" data-testid="fallback-reason">Why: ${b.fallbackReason}</span>`
                  : ''
              }`
          : html`<span>Looking for a GPU…</span>`)
      }
      <span class="step">step <strong data-testid="step-count">${run.step}</strong></span>
      <span data-testid="run-phase" data-phase=${run.hiddenPause ? 'hidden' : run.phase}>${phase}</span>
      <span
        ><span data-testid="steps-per-second">${rate}</span> steps/s ·
        <span data-testid="frames-per-second">${live ? run.framesPerSecond.toFixed(0) : '–'}</span>
        frames/s</span
      >
      ${
        // Refreshed with the views (every publish), read from the registry's counters: no read-back.
        run.memory
          ? html`<span
              class="memory"
              data-testid="run-memory"
              data-items=${run.memory.items}
              data-bytes=${run.memory.bytes}
              >${memoryText(run.memory)}</span
            >`
          : ''
      }
      <sngan-info topic="status-line"></sngan-info>
      <span class="variants"
        >${everyone.map((v) => {
          const diverged = run.diverged[v as keyof typeof run.diverged];
          return html`<span
            class="chip ${diverged !== undefined ? 'diverged' : ''}"
            data-testid="variant-status"
            data-variant=${v}
          >
            <sngan-variant-swatch variant=${v}></sngan-variant-swatch>
            ${VARIANT_TITLES[v as keyof typeof VARIANT_TITLES]}:
            ${diverged !== undefined ? `diverged at step ${diverged}` : run.recording ? 'recorded' : `${rate} steps/s`}
          </span>`;
        })}</span
      >
    `;
  }
}
