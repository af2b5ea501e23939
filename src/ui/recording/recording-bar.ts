/**
 * `<sngan-recording-bar>`: the sandbox's transport for a run file opened on the page, in place of
 * the training toolbar — play/pause, one capture forward, back to the start, a scrubber over
 * every step, and the way back to the live run (which waited, paused, untouched).
 */
import { css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { controlStyles } from '../controls/shared-styles';
import { StoreElement } from '../controls/store-element';
import type { RecordingPlayer } from './recording-player';

/** Fired (bubbling, composed) when the visitor asks for the live run back. */
export const LEAVE_RECORDING_EVENT = 'leave-recording';

@customElement('sngan-recording-bar')
export class RecordingBar extends StoreElement {
  @property({ attribute: false }) player!: RecordingPlayer;

  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 0.8rem;
        align-items: center;
      }
      .play {
        min-width: 7.5rem;
        font-size: 1.15rem;
      }
      label {
        display: flex;
        flex: 1 1 16rem;
        gap: 0.5rem;
        align-items: center;
        font-variant-numeric: tabular-nums;
      }
      input[type='range'] {
        flex: 1;
        min-width: 8rem;
      }
    `,
  ];

  private onScrub(e: Event): void {
    this.player.seek(Number((e.target as HTMLInputElement).value));
  }

  override render() {
    const p = this.player;
    const playing = this.store.run.phase === 'running';
    return html`
      <button
        class="play primary"
        data-testid="recording-play"
        aria-pressed=${playing ? 'true' : 'false'}
        @click=${() => (playing ? p.pause() : p.play())}
      >
        ${playing ? '❚❚ Pause' : '▶ Play'}
      </button>
      <button data-testid="recording-step" title="To the next captured step" @click=${() => p.stepOnce()}>Step</button>
      <button data-testid="recording-start" title="Back to the first captured step" @click=${() => p.reset()}>
        ⟲ Start
      </button>
      <label
        >Step
        <input
          type="range"
          data-testid="recording-scrub"
          min=${p.firstStep}
          max=${p.lastStep}
          step="1"
          .value=${String(this.store.run.step)}
          @input=${this.onScrub}
        />
        <span>${this.store.run.step.toLocaleString('en-US')} of ${p.lastStep.toLocaleString('en-US')}</span></label
      >
      <button
        data-testid="leave-recording"
        @click=${() => this.dispatchEvent(new CustomEvent(LEAVE_RECORDING_EVENT, { bubbles: true, composed: true }))}
      >
        Back to the live run
      </button>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sngan-recording-bar': RecordingBar;
  }
}
