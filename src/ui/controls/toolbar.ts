/** Play/pause, single steps (D only, G only, both), reset and speed: the run's transport controls. */
import { css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { StepPhase } from '../../gan/trainer';
import { SPEEDS } from '../state/settings';
import type { TrainingSession } from '../session/session';
import { controlStyles } from './shared-styles';
import { a11yStyles } from '../a11y/page-styles';
import '../lesson/info-button';
import { StoreElement } from './store-element';

const SINGLE_STEPS: { phase: StepPhase; testid: string; label: string; title: string }[] = [
  {
    phase: 'both',
    testid: 'step-both',
    label: 'Step',
    title: 'n_dis discriminator updates, then one generator update',
  },
  { phase: 'D', testid: 'step-d', label: 'D only', title: 'Only the n_dis discriminator updates' },
  { phase: 'G', testid: 'step-g', label: 'G only', title: 'Only the generator update' },
];

@customElement('sngan-toolbar')
export class Toolbar extends StoreElement {
  @property({ attribute: false }) session!: TrainingSession;

  static override styles = [
    controlStyles,
    a11yStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      .play {
        min-width: 7.5rem;
        font-size: 1.15rem;
      }
      .group {
        display: flex;
        gap: 0.25rem;
        align-items: center;
      }
      label {
        display: flex;
        gap: 0.4rem;
        align-items: center;
      }
    `,
  ];

  override render() {
    const { phase } = this.store.run;
    const hidden = this.store.settings.hidden;
    const running = phase === 'running';
    const ready = phase === 'paused' || phase === 'running';
    const canStep = phase === 'paused';
    return html`
      <button
        class="play primary"
        data-testid="play"
        ?disabled=${!ready}
        aria-pressed=${running ? 'true' : 'false'}
        @click=${() => (running ? this.session.pause() : this.session.play())}
      >
        ${running ? '❚❚ Pause' : '▶ Train'}
      </button>
      ${
        hidden.includes('step')
          ? ''
          : html`<span class="group" role="group" aria-label="Single step">
              ${SINGLE_STEPS.map(
                (b) =>
                  html`<button
                    data-testid=${b.testid}
                    ?disabled=${!canStep}
                    title=${b.title}
                    @click=${() => void this.session.stepOnce(b.phase)}
                  >
                    ${b.label}
                  </button>`,
              )}
            </span>`
      }
      <button
        data-testid="reset"
        ?disabled=${phase === 'starting' || phase === 'recovering'}
        title="Back to step 0 with the same seed: the run repeats itself"
        @click=${() => void this.session.reset()}
      >
        ⟲ Reset
      </button>
      ${
        hidden.includes('speed')
          ? ''
          : html`<label
              >Speed
              <select
                data-testid="speed"
                .value=${String(this.store.settings.speed)}
                @change=${(e: Event) =>
                  void this.session.applySettings({
                    ...this.store.settings,
                    speed: Number((e.target as HTMLSelectElement).value),
                  })}
              >
                ${SPEEDS.map(
                  (s) =>
                    html`<option value=${s} ?selected=${s === this.store.settings.speed}>
                      ${s === 0 ? 'as fast as possible' : `${s} step${s === 1 ? '' : 's'} / frame`}
                    </option>`,
                )}
              </select></label
            >`
      }
      <sngan-info topic="group-run"></sngan-info>
    `;
  }
}
