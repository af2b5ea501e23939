/**
 * Every setting of a run: which variants train, data and model, the paper's presets A–F, Adam and
 * the normalizations' own parameters, the seed, display options, and a shareable link (which can
 * hide chosen groups for a class). Labels, tooltips and the checks of every value come from the
 * settings table (src/settings/schema.ts), as for the URL and the CLI; a rejected value is shown
 * next to its field, in the same words, and never applied.
 */
import { css, html, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { dataset2d } from '../../data/mixtures';
import { SETTINGS, VARIANT_NAMES, VARIANT_TITLES, type SettingName, type VariantName } from '../../gan/config';
import {
  CNN_WIDTHS,
  CONTROL_GROUPS,
  DATA_NAMES,
  isImageData,
  LOSS_NAMES,
  matchingPreset,
  MLP_DEPTHS,
  MLP_WIDTHS,
  type ControlGroup,
  type PageSettings,
} from '../state/settings';
import { readSetting, serializeSettings } from '../state/url-state';
import { PAGE_SCHEMA, writePageField, type DataName } from '../../settings/schema';
import type { TrainingSession } from '../session/session';
import '../visuals/legend';
import '../lesson/info-button';
import { controlStyles } from './shared-styles';
import { a11yStyles } from '../a11y/page-styles';
import { StoreElement } from './store-element';

const VARIANT_NOTES: Record<VariantName, string> = {
  sn: 'W̄ = W / σ̃, one power-iteration round per D update',
  wn: 'each row of W divided by its norm (gain fixed to 1)',
  none: 'plain discriminator',
  clip: 'W and b clipped to ±c after each update',
  orthonormal: 'loss + β‖WᵀW − I‖²',
  'wgan-gp': 'loss + λ(‖∇ₓD‖ − 1)² at interpolates',
};

const dataTitle = (d: DataName): string =>
  d === 'mnist' ? 'MNIST digits (CNN)' : d === 'drawn' ? 'Draw your own' : dataset2d(d).title;

const LOSS_TITLES = { standard: 'standard (non-saturating)', hinge: 'hinge', wgan: 'Wasserstein' } as const;

const GROUP_TITLES: Record<ControlGroup, string> = {
  variants: 'variants',
  data: 'data & model',
  hyper: 'hyperparameters',
  presets: 'presets A–F',
  seed: 'seed',
  speed: 'speed',
  step: 'single steps',
  display: 'display',
  share: 'share',
  selftest: 'kernel self-test',
};

/** Ready-made comparisons for class: each sets the settings that tell one part of the story. */
const DEMOS: { id: string; title: string; note: string; patch: Partial<PageSettings> }[] = [
  {
    id: 'ring',
    title: 'Ring of 8, setting C',
    note: 'mode coverage on the 2-D ring',
    patch: { data: 'ring8', variants: ['sn', 'wn', 'none'], ...SETTINGS.C, nDis: 1, batch: 128 },
  },
  {
    id: 'digits-e',
    title: 'Digits under aggressive Adam (E)',
    note: 'SN keeps learning, WN and none collapse (needs a GPU)',
    patch: { data: 'mnist', variants: ['sn', 'wn', 'none'], ...SETTINGS.E, batch: 64, cnnWidth: 0.25, speed: 0 },
  },
  {
    id: 'all-six',
    title: 'All six on the grid of 25',
    note: 'every regularizer side by side',
    patch: {
      data: 'grid25',
      variants: ['sn', 'wn', 'none', 'clip', 'orthonormal', 'wgan-gp'],
      ...SETTINGS.A,
      batch: 128,
    },
  },
];

@customElement('sngan-settings-panel')
export class SettingsPanel extends StoreElement {
  @property({ attribute: false }) session!: TrainingSession;
  @state() private errors: Partial<Record<keyof PageSettings, string>> = {};
  @state() private hideInLink: ControlGroup[] = [];
  @state() private copied = false;

  static override styles = [
    controlStyles,
    a11yStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 0.9rem;
      }
      fieldset {
        border: 1px solid #ccd;
        border-radius: 8px;
        padding: 0.5rem 0.8rem 0.7rem;
        margin: 0;
      }
      legend {
        font-weight: 700;
        padding: 0 0.3rem;
      }
      .variant {
        display: grid;
        grid-template-columns: auto auto 1fr;
        gap: 0.45rem;
        align-items: center;
        padding: 0.15rem 0;
      }
      .variant small {
        grid-column: 3;
        color: #555;
        font-size: 0.8rem;
        line-height: 1.2;
      }
      .field {
        display: grid;
        grid-template-columns: 7.5rem 1fr;
        gap: 0.4rem;
        align-items: center;
        margin: 0.25rem 0;
      }
      .field input,
      .field select {
        width: 100%;
        box-sizing: border-box;
      }
      .error {
        grid-column: 1 / -1;
        color: #a00;
        font-size: 0.85rem;
      }
      .presets {
        display: flex;
        gap: 0.3rem;
        flex-wrap: wrap;
      }
      .presets button {
        min-width: 2.4rem;
        font-weight: 700;
      }
      .demos {
        display: flex;
        flex-direction: column;
        gap: 0.3rem;
        margin-top: 0.5rem;
      }
      .demos button {
        text-align: left;
      }
      .preset-note {
        font-size: 0.85rem;
        color: #444;
        margin: 0.3rem 0 0;
      }
      .row {
        display: flex;
        gap: 0.4rem;
        align-items: center;
        flex-wrap: wrap;
      }
      label.check {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.4rem;
        align-items: start;
        margin: 0.2rem 0;
      }
      .link {
        width: 100%;
        box-sizing: border-box;
        font-size: 0.8rem;
      }
      .hide-list {
        display: flex;
        flex-wrap: wrap;
        gap: 0.1rem 0.8rem;
        font-size: 0.9rem;
      }
    `,
  ];

  private apply(patch: Partial<PageSettings>): void {
    void this.session.applySettings({ ...this.store.settings, ...patch });
  }

  /** A typed value: applied when valid, otherwise shown as an error next to the field. */
  private onValue(field: keyof PageSettings, raw: string): void {
    const result = readSetting(field, raw);
    if ('error' in result) {
      this.errors = { ...this.errors, [field]: `${raw === '' ? 'empty' : raw} ${result.error}; not applied.` };
      return;
    }
    this.errors = { ...this.errors, [field]: undefined };
    this.apply({ [field]: result.value } as Partial<PageSettings>);
  }

  private numberField(field: keyof PageSettings) {
    const id = `f-${field}`;
    const { label, help } = PAGE_SCHEMA[field];
    return html`<div class="field">
      <label for=${id} title=${help}>${label}</label>
      <input
        id=${id}
        data-testid=${`setting-${field}`}
        inputmode="decimal"
        .value=${String(this.store.settings[field])}
        @change=${(e: Event) => this.onValue(field, (e.target as HTMLInputElement).value.trim())}
      />
      ${this.errors[field] ? html`<span class="error" role="alert">${this.errors[field]}</span>` : ''}
    </div>`;
  }

  private selectField<T extends string | number>(
    field: keyof PageSettings,
    options: readonly T[],
    title: (v: T) => string = String,
  ) {
    const id = `f-${field}`;
    const current = this.store.settings[field];
    const { label, help } = PAGE_SCHEMA[field];
    return html`<div class="field">
      <label for=${id} title=${help}>${label}</label>
      <select
        id=${id}
        data-testid=${`setting-${field}`}
        @change=${(e: Event) => this.onValue(field, (e.target as HTMLSelectElement).value)}
      >
        ${options.map((o) => html`<option value=${String(o)} ?selected=${o === current}>${title(o)}</option>`)}
      </select>
    </div>`;
  }

  private group(name: ControlGroup, body: () => TemplateResult): TemplateResult | string {
    return this.store.settings.hidden.includes(name) ? '' : body();
  }

  private toggleVariant(v: VariantName, on: boolean): void {
    const current = this.store.settings.variants;
    const next = on ? VARIANT_NAMES.filter((x) => x === v || current.includes(x)) : current.filter((x) => x !== v);
    if (next.length === 0) {
      this.store.setRun({ info: 'At least one variant must train.' });
      this.requestUpdate();
      return;
    }
    this.apply({ variants: next });
  }

  private linkFor(hide: ControlGroup[]): string {
    const query = serializeSettings({ ...this.store.settings, hidden: hide });
    return `${location.origin}${location.pathname}?${query}`;
  }

  private async copyLink(link: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(link);
      this.copied = true;
      setTimeout(() => (this.copied = false), 2000);
    } catch {
      this.store.setRun({ info: 'The browser did not allow copying: select the link and copy it by hand.' });
    }
  }

  override render() {
    const s = this.store.settings;
    const preset = matchingPreset(s);
    const images = isImageData(s.data);
    const link = this.linkFor(this.hideInLink);
    return html`
      ${this.group(
        'variants',
        () =>
          html`<fieldset data-testid="variant-toggles">
            <legend title=${PAGE_SCHEMA.variants.help}>
              ${PAGE_SCHEMA.variants.label} <sngan-info topic="group-variants"></sngan-info>
            </legend>
            ${VARIANT_NAMES.map(
              (v) =>
                html`<label class="variant">
                  <input
                    type="checkbox"
                    data-testid=${`variant-${v}`}
                    .checked=${s.variants.includes(v)}
                    @change=${(e: Event) => this.toggleVariant(v, (e.target as HTMLInputElement).checked)}
                  />
                  <sngan-variant-swatch variant=${v}></sngan-variant-swatch>
                  <span>${VARIANT_TITLES[v]}</span>
                  <small>${VARIANT_NOTES[v]}</small>
                </label>`,
            )}
          </fieldset>`,
      )}
      ${this.group(
        'data',
        () =>
          html`<fieldset>
            <legend>Data and model <sngan-info topic="group-data"></sngan-info></legend>
            ${this.selectField('data', DATA_NAMES, dataTitle)}
            ${
              images
                ? this.selectField('cnnWidth', CNN_WIDTHS, (w) =>
                    w === 1 ? '1 (the paper’s network)' : writePageField('cnnWidth', w),
                  )
                : html`${this.selectField('mlpWidth', MLP_WIDTHS)} ${this.selectField('mlpDepth', MLP_DEPTHS)}
                  ${this.numberField('noiseDim')}`
            }
          </fieldset>`,
      )}
      ${this.group(
        'presets',
        () =>
          html`<fieldset>
            <legend>Paper settings (Table 1) and demos <sngan-info topic="group-presets"></sngan-info></legend>
            <div class="presets" data-testid="presets">
              ${(Object.keys(SETTINGS) as SettingName[]).map(
                (name) =>
                  html`<button
                    data-testid=${`preset-${name}`}
                    aria-pressed=${preset === name ? 'true' : 'false'}
                    title=${`α=${SETTINGS[name].lr}, β1=${SETTINGS[name].beta1}, β2=${SETTINGS[name].beta2}, n_dis=${SETTINGS[name].nDis}`}
                    @click=${() => this.apply({ ...SETTINGS[name] })}
                  >
                    ${name}
                  </button>`,
              )}
            </div>
            <p class="preset-note">
              ${preset ? `Setting ${preset}.` : 'Custom Adam settings.'} SN stays robust under the aggressive D–F; WN
              and WGAN-GP degrade.
            </p>
            <div class="demos">
              ${DEMOS.map(
                (d) =>
                  html`<button data-testid=${`demo-${d.id}`} title=${d.note} @click=${() => this.apply(d.patch)}>
                    ${d.title}
                  </button>`,
              )}
            </div>
          </fieldset>`,
      )}
      ${this.group(
        'hyper',
        () =>
          html`<fieldset>
            <legend>Hyperparameters <sngan-info topic="group-hyper"></sngan-info></legend>
            ${(['lr', 'beta1', 'beta2', 'nDis', 'batch'] as const).map((f) => this.numberField(f))}
            ${this.selectField('loss', LOSS_NAMES, (l) => LOSS_TITLES[l])}
            ${(['snRounds', 'snWarmup', 'clip', 'orthoBeta', 'gpLambda', 'statsEvery', 'spectraEvery'] as const).map(
              (f) => this.numberField(f),
            )}
          </fieldset>`,
      )}
      ${this.group(
        'seed',
        () =>
          html`<fieldset>
            <legend>Seed <sngan-info topic="group-seed"></sngan-info></legend>
            ${this.numberField('seed')}
            <button
              data-testid="new-seed"
              @click=${() => this.apply({ seed: Math.floor(Math.random() * 1_000_000) })}
              title="A different initialization, noise and data order"
            >
              New seed
            </button>
          </fieldset>`,
      )}
      ${this.group(
        'display',
        () =>
          html`<fieldset>
            <legend>Display <sngan-info topic="group-display"></sngan-info></legend>
            <label class="check"
              ><input
                type="checkbox"
                data-testid="show-heatmap"
                .checked=${s.heatmap}
                @change=${(e: Event) => this.apply({ heatmap: (e.target as HTMLInputElement).checked })}
              />
              ${PAGE_SCHEMA.heatmap.label}</label
            >
            <label class="check"
              ><input
                type="checkbox"
                data-testid="show-arrows"
                .checked=${s.arrows}
                @change=${(e: Event) => this.apply({ arrows: (e.target as HTMLInputElement).checked })}
              />
              ${PAGE_SCHEMA.arrows.label}</label
            >
          </fieldset>`,
      )}
      ${this.group(
        'share',
        () =>
          html`<fieldset>
            <legend>Share this run <sngan-info topic="group-share"></sngan-info></legend>
            <input class="link" readonly data-testid="share-link" .value=${link} aria-label="Link to this run" />
            <div class="row">
              <button data-testid="copy-link" @click=${() => void this.copyLink(link)}>
                ${this.copied ? 'Copied ✓' : 'Copy link'}
              </button>
            </div>
            <div>Hide in the link (for class):</div>
            <div class="hide-list">
              ${CONTROL_GROUPS.map(
                (g) =>
                  html`<label
                    ><input
                      type="checkbox"
                      data-testid=${`hide-${g}`}
                      .checked=${this.hideInLink.includes(g)}
                      @change=${(e: Event) =>
                        (this.hideInLink = (e.target as HTMLInputElement).checked
                          ? [...this.hideInLink, g]
                          : this.hideInLink.filter((x) => x !== g))}
                    />
                    ${GROUP_TITLES[g]}</label
                  >`,
              )}
            </div>
          </fieldset>`,
      )}
    `;
  }
}
