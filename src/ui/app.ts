/**
 * The page: one store (settings + run state), one training session, and the components that show
 * and change them. The URL always holds the current settings (replaceState), so the address bar
 * is a link that reproduces the run.
 */
import { LitElement, css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { dataset2d, isDataset2dName } from '../data/mixtures';
import { VARIANT_NAMES, type VariantName } from '../gan/config';
import { automation } from './automation';
import { TrainingSession } from './session/session';
import { isImageData } from './state/settings';
import { AppStore, StoreController } from './state/store';
import { parseSettings, serializeSettings } from './state/url-state';
import './controls/settings-panel';
import './controls/status-line';
import './controls/toolbar';
import './selftest-panel';
import './spectra-panel';
import './training-charts';
import './visuals/field-view';
import './visuals/image-grid';

const SIDEBAR_GROUPS = ['variants', 'data', 'hyper', 'presets', 'seed', 'display', 'share'] as const;

@customElement('sngan-app')
export class App extends LitElement {
  private readonly store = new AppStore();
  private readonly session = new TrainingSession(this.store);
  private lastQuery = '';

  constructor() {
    super();
    // Re-render on every store change (the controller registers itself with this element).
    new StoreController(this, this.store);
  }

  static override styles = css`
    :host {
      display: block;
      font:
        16px/1.45 system-ui,
        -apple-system,
        'Segoe UI',
        sans-serif;
      color: #1a1a1a;
      max-width: 1800px;
      margin: 0 auto;
      padding: 0.8rem 1.2rem 3rem;
    }
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 0.2rem 1rem;
    }
    h1 {
      font-size: 1.9rem;
      margin: 0;
    }
    header p {
      margin: 0;
      color: #444;
    }
    kbd {
      font:
        0.85em ui-monospace,
        monospace;
      border: 1px solid #aaa;
      border-radius: 3px;
      padding: 0 0.25em;
      background: #f6f6f6;
    }
    .bar {
      display: flex;
      flex-direction: column;
      gap: 0.5rem;
      margin: 0.7rem 0;
      position: sticky;
      top: 0;
      z-index: 2;
      background: #fff;
      padding: 0.4rem 0;
    }
    .notice {
      margin: 0;
      padding: 0.45rem 0.9rem;
      border-radius: 6px;
      border-left: 5px solid;
    }
    .notice.problem {
      background: #fde8e8;
      border-color: #d55e00;
    }
    .notice.url {
      background: #fff4d6;
      border-color: #e69f00;
    }
    .notice.info {
      background: #e8f1f8;
      border-color: #0072b2;
    }
    .layout {
      display: grid;
      grid-template-columns: 350px minmax(0, 1fr);
      gap: 1.2rem;
      align-items: start;
    }
    .layout.full {
      grid-template-columns: minmax(0, 1fr);
    }
    @media (max-width: 900px) {
      .layout {
        grid-template-columns: minmax(0, 1fr);
      }
    }
    h2 {
      font-size: 1.35rem;
      margin: 1.2rem 0 0.5rem;
    }
    h2:first-child {
      margin-top: 0;
    }
    .visuals {
      display: flex;
      flex-wrap: wrap;
      gap: 1rem;
    }
    .caption {
      color: #444;
      margin: 0 0 0.6rem;
    }
    details {
      margin-top: 2rem;
    }
    summary {
      cursor: pointer;
      font-weight: 600;
    }
    button.link {
      font: inherit;
      background: none;
      border: none;
      color: #0072b2;
      text-decoration: underline;
      cursor: pointer;
      padding: 0;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    const { settings, notices } = parseSettings(location.search);
    this.store.setSettings(settings);
    this.store.setUrlNotices(notices);
    this.store.subscribe(() => this.syncUrl());
    // The automation interface (tests, the console); it reads the session's real state only.
    window.sngan = automation(this.store, this.session);
    window.addEventListener('keydown', this.onKey);
    void this.session.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKey);
  }

  /**
   * Keys for the lecturer at the projector: Space plays/pauses, S steps, R resets. Ignored while
   * typing in a field or with a modifier held, so they never steal the browser's own shortcuts.
   */
  private readonly onKey = (event: KeyboardEvent): void => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.composedPath()[0] as HTMLElement | undefined;
    if (target && ['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(target.tagName)) return;
    const phase = this.store.run.phase;
    if (event.key === ' ') {
      event.preventDefault();
      if (phase === 'running') this.session.pause();
      else this.session.play();
    } else if (event.key === 's' || event.key === 'S') {
      void this.session.stepOnce('both');
    } else if (event.key === 'r' || event.key === 'R') {
      void this.session.reset();
    }
  };

  /** The address bar follows the settings, so copying it shares this exact run. */
  private syncUrl(): void {
    const query = serializeSettings(this.store.settings);
    if (query === this.lastQuery) return;
    this.lastQuery = query;
    history.replaceState(null, '', `${location.pathname}?${query}`);
  }

  private renderNotices() {
    const run = this.store.run;
    return html`
      ${
        this.store.urlNotices.length > 0
          ? html`<div class="notice url" role="status" data-testid="url-notice">
              <strong>Some link settings were not valid and fell back to defaults:</strong>
              ${this.store.urlNotices.map((n) => html`<div>${n.message}</div>`)}
            </div>`
          : ''
      }
      ${run.problem ? html`<p class="notice problem" role="alert" data-testid="problem">${run.problem}</p>` : ''}
      ${run.info ? html`<p class="notice info" role="status" data-testid="info">${run.info}</p>` : ''}
    `;
  }

  private shownVariants(): VariantName[] {
    const run = this.store.run;
    const s = this.store.settings;
    return VARIANT_NAMES.filter(
      (v) => s.variants.includes(v) && (run.variants.includes(v) || run.diverged[v] !== undefined),
    );
  }

  private renderVisuals() {
    const run = this.store.run;
    const s = this.store.settings;
    const shown = this.shownVariants();
    if (isImageData(s.data)) {
      return html`<h2>Samples from a fixed z</h2>
        <p class="caption">64 digits per variant from the same noise, refreshed at every statistics step.</p>
        <div class="visuals">
          ${shown.map(
            (v) =>
              html`<sngan-image-grid
                data-testid=${`images-${v}`}
                .frame=${run.images[v] ?? null}
                .columns=${8}
                .cell=${34}
              ></sngan-image-grid>`,
          )}
        </div>`;
    }
    return html`<h2>What each discriminator sees</h2>
      <p class="caption">
        Real data (black) and each variant's generated points over its discriminator's output D(x): green where D says
        “real”, purple where it says “fake”.
      </p>
      <div class="visuals">
        ${shown.map(
          (v) =>
            html`<sngan-field-view
              data-testid=${`field-${v}`}
              .frame=${run.fields[v] ?? null}
              .realPoints=${run.realPoints}
              .showArrows=${s.arrows}
              .showHeatmap=${s.heatmap}
              .size=${290}
            ></sngan-field-view>`,
        )}
      </div>`;
  }

  override render() {
    const s = this.store.settings;
    const run = this.store.run;
    const sidebar = SIDEBAR_GROUPS.some((g) => !s.hidden.includes(g));
    const modes = isDataset2dName(s.data) ? (dataset2d(s.data).modes?.length ?? 0) / 2 || null : null;
    const shown = this.shownVariants();
    return html`
      <header>
        <h1>SN-GAN Live</h1>
        <p>
          Spectral normalization (Miyato et al., ICLR 2018) against weight normalization and no normalization, trained
          side by side on your GPU. Keys: <kbd>Space</kbd> train/pause, <kbd>S</kbd> step, <kbd>R</kbd> reset.
        </p>
      </header>
      <div class="bar">
        <sngan-status-line .store=${this.store}></sngan-status-line>
        <sngan-toolbar .store=${this.store} .session=${this.session}></sngan-toolbar>
        ${this.renderNotices()}
      </div>
      <div class="layout ${sidebar ? '' : 'full'}">
        ${
          sidebar
            ? html`<aside>
                <sngan-settings-panel .store=${this.store} .session=${this.session}></sngan-settings-panel>
                ${
                  s.hidden.length > 0
                    ? html`<p>
                        <button
                          class="link"
                          data-testid="show-all-controls"
                          @click=${() => void this.session.applySettings({ ...s, hidden: [] })}
                        >
                          Show all controls
                        </button>
                      </p>`
                    : ''
                }
              </aside>`
            : ''
        }
        <main>
          ${this.renderVisuals()}
          <h2>Training</h2>
          <sngan-training-charts
            .history=${run.history}
            .variants=${shown}
            .rates=${run.rates}
            .loss=${s.loss}
            .dataKind=${isImageData(s.data) ? 'images' : '2d'}
            .modes=${modes}
          ></sngan-training-charts>
          <h2>Singular values of every discriminator layer</h2>
          <sngan-spectra-panel
            .history=${run.history}
            .variants=${shown}
            .spectraEvery=${s.spectraEvery}
          ></sngan-spectra-panel>
          ${
            s.hidden.includes('selftest')
              ? ''
              : html`<details data-testid="selftest-details">
                  <summary>Kernel self-test: every WGSL kernel against its float64 twin</summary>
                  <sngan-selftest></sngan-selftest>
                </details>`
          }
        </main>
      </div>
    `;
  }
}
