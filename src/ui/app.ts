/**
 * The page: one store (settings + run state), one training session, and the components that show
 * and change them. The URL always holds the current settings (replaceState), so the address bar
 * is a link that reproduces the run.
 */
import { LitElement, css, html, unsafeCSS, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { dataset2dOf } from '../data/mixtures';
import type { VariantName } from '../gan/config';
import { shownVariants } from './state/shown-variants';
import { a11yStyles } from './a11y/page-styles';
import { ONE_COLUMN_QUERY, PHONE_QUERY, ScreenController } from './a11y/screen';
import { automation } from './automation';
import { noticeStyles, renderNotices } from './controls/notices';
import { registerOffline } from './offline';
import { TrainingSession } from './session/session';
import { realPointsOf } from './recording/recorded-view';
import { isImageData } from './state/settings';
import { AppStore, StoreController, type RunState } from './state/store';
import { SCENES, sceneAt } from '../lesson/scenes';
import { parseLocation, serializeLocation, sceneSettings } from './lesson/lesson-url';
import type { PageSettings } from './state/settings';
import './lesson/lesson-view';
import './lesson/info-button';
import './visuals/samples-view';
import { RecordingPlayer } from './recording/recording-player';
import { loadRecordedRun, needsRecordedRun } from './recording/recording-source';
import { EXPORT_IMAGE_EVENT, exportImage, type ExportImageDetail } from './export/export-image';
import { exportCaption } from './export/export-caption';
import type { OpenedRunFile } from './export/run-files';
import './export/run-files';
import './recording/recording-bar';
import './controls/settings-panel';
import './controls/status-line';
import './controls/toolbar';
import './selftest-panel';
import './spectra-panel';
import './training-charts';
import './visuals/draw-pad';
import './visuals/field-view';
import './visuals/image-grid';

const SIDEBAR_GROUPS = ['variants', 'data', 'hyper', 'presets', 'seed', 'display', 'share'] as const;

@customElement('sngan-app')
export class App extends LitElement {
  private readonly store = new AppStore();
  private readonly session = new TrainingSession(this.store);
  private lastQuery = '';
  private readonly screen = new ScreenController(this);
  /** The lesson's scene (1-based), or null on the sandbox page. */
  @state() private lesson: number | null = null;
  /** Presentation mode: the scene's key views fill the screen. */
  @state() private present = false;
  /** Whether the scene's toggle (e.g. warm-up rounds) is on. */
  @state() private sceneToggled = false;
  /** The recorded run a scene plays instead of training (no GPU fast enough), or null. */
  @state() private player: RecordingPlayer | null = null;
  /** A run file the visitor opened, shown by `player` in place of the live run, or null. */
  @state() private opened: OpenedRunFile | null = null;
  /** The live run's view while an opened file is shown: it comes back as it was. */
  private liveView: RunState | null = null;

  constructor() {
    super();
    // Re-render on every store change (the controller registers itself with this element).
    new StoreController(this, this.store);
  }

  static override styles = [
    a11yStyles,
    noticeStyles,
    css`
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
      .controls-panel > summary {
        font-weight: 600;
        padding: 0.5rem 0.8rem;
        border: 1px solid #ccd;
        border-radius: 8px;
        background: #f4f6f8;
        margin-bottom: 0.6rem;
      }
      @media not all and ${unsafeCSS(ONE_COLUMN_QUERY)} {
        .controls-panel > summary {
          display: none;
        }
      }
      /* On a phone the run bar scrolls away: pinned, it would cover a third of the screen. */
      @media ${unsafeCSS(PHONE_QUERY)} {
        .bar {
          position: static;
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
      .drawing sngan-samples {
        /* Beside the pad while it fits; wrapped below it on a narrow screen, never wider than the column. */
        flex: 1 1 290px;
        min-width: 0;
      }
      .draw h3 {
        font-size: 1rem;
        margin: 0 0 0.3rem;
      }
      .caption {
        color: #444;
        margin: 0 0 0.6rem;
      }
      h2.selftest-title {
        margin-top: 2rem;
      }
      summary {
        cursor: pointer;
        font-weight: 600;
      }
      .lesson-entry {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 0.2rem 1rem;
        margin: 0.6rem 0 0.2rem;
        padding: 0.7rem 1.1rem;
        border: 2px solid #0072b2;
        border-radius: 8px;
        background: #e8f1f8;
        color: #1a1a1a;
        text-decoration: none;
      }
      .lesson-entry strong {
        font-size: 1.2rem;
        color: #005a8c;
      }
      .lesson-entry:hover strong,
      .lesson-entry:focus-visible strong {
        text-decoration: underline;
      }
      .lesson-entry:focus-visible {
        outline: 3px solid #000;
        outline-offset: 2px;
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
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    const { settings, notices, lesson, present } = parseLocation(location.search);
    this.lesson = lesson;
    this.present = present;
    this.store.setSettings(settings);
    this.store.setUrlNotices(notices);
    this.store.subscribe(() => this.syncUrl());
    // The automation interface (tests, the console); it reads the session's real state only.
    window.sngan = automation(this.store, this.session);
    registerOffline(this.store);
    window.addEventListener('keydown', this.onKey);
    this.addEventListener(EXPORT_IMAGE_EVENT, this.onExportImage);
    // A scene with a recording plays it once the device is known to be too slow for it (a CNN the
    // CPU backend refuses to train is one such case, so a failed start goes on to the check too).
    void this.openFirstRun();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKey);
    this.removeEventListener(EXPORT_IMAGE_EVENT, this.onExportImage);
  }

  /** A chart's or view's Save PNG / Copy image, captioned with what the page shows now. */
  private readonly onExportImage = (event: CustomEvent<ExportImageDetail>): void => {
    const config = this.player?.run.config ?? this.session.trainer?.config ?? null;
    const caption = exportCaption({ store: this.store, config });
    exportImage(event.detail, caption, this.store.run.step).catch((error: Error) =>
      this.store.setRun({ problem: `Could not export the picture: ${error.message}` }),
    );
  };

  /**
   * Shows an opened run file in every view as a recorded run, scrubbable, at its last step. The
   * live run pauses and waits (its statistics settled first, so none lands in the recording's views).
   */
  private async openRunFile(file: OpenedRunFile): Promise<void> {
    this.session.pause();
    await this.session.trainer?.statsSettled().catch(() => undefined);
    const live = this.opened || this.player ? this.liveView : this.store.run;
    this.leaveRecording();
    this.liveView = live;
    this.player = new RecordingPlayer(this.store, file.run);
    this.player.seek(this.player.lastStep);
    this.opened = file;
    this.store.setRun({
      // The live run's speed is not the recording's, and its real data may be another data set.
      rates: [],
      realPoints: realPointsOf(file.run.config),
      problem: null,
      info: `Showing ${file.name}, a recorded run (not training); “Back to the live run” returns to yours, paused.`,
    });
  }

  private closeRunFile(): void {
    const live = this.liveView;
    this.leaveRecording();
    if (live) this.store.setRun({ ...live, problem: null, info: null });
  }

  /**
   * Keys for the lecturer at the projector: Space plays/pauses, S steps, R resets, ← → move
   * between scenes, P toggles presentation mode and F full screen. Ignored while typing in a field
   * or with a modifier held, so they never steal the browser's own shortcuts.
   */
  private readonly onKey = (event: KeyboardEvent): void => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.composedPath()[0] as HTMLElement | undefined;
    if (target && ['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(target.tagName)) return;
    const phase = this.store.run.phase;
    const player = this.player;
    if (event.key === ' ') {
      event.preventDefault();
      if (player) {
        if (player.playing) player.pause();
        else player.play();
      } else if (phase === 'running') this.session.pause();
      else this.session.play();
    } else if (event.key === 's' || event.key === 'S') {
      if (player) player.stepOnce();
      else void this.session.stepOnce('both');
    } else if (event.key === 'r' || event.key === 'R') {
      if (player) player.reset();
      else void this.session.reset();
    } else if (event.key === 'ArrowRight' && this.lesson !== null) {
      event.preventDefault();
      void this.goToScene(this.lesson + 1);
    } else if (event.key === 'ArrowLeft' && this.lesson !== null) {
      event.preventDefault();
      void this.goToScene(this.lesson - 1);
    } else if (event.key === 'p' || event.key === 'P') {
      this.togglePresent();
    } else if (event.key === 'f' || event.key === 'F') {
      this.toggleFullscreen();
    }
  };

  /** Opens scene n with its own settings and a fresh run (training on if it was training). */
  private async goToScene(n: number): Promise<void> {
    if (!sceneAt(n)) return;
    const wasRunning = this.store.run.phase === 'running';
    this.lesson = n;
    this.sceneToggled = false;
    await this.startScene(sceneSettings(n), wasRunning);
  }

  private async startScene(settings: PageSettings, play: boolean): Promise<void> {
    this.leaveRecording();
    this.session.pause();
    this.store.setUrlNotices([]);
    this.store.setSettings({ ...settings, hidden: this.store.settings.hidden });
    this.syncUrl();
    if (this.wantsRecording()) return this.enterRecording(play);
    await this.session.reset();
    this.store.setRun({ info: null });
    if (play) this.session.play();
  }

  /**
   * The first run: a scene with a recording first finds the device and plays the recording where
   * it is too slow (nothing is built for it); everything else trains live.
   */
  private async openFirstRun(): Promise<void> {
    const scene = this.lesson !== null ? sceneAt(this.lesson) : undefined;
    if (scene?.recording) {
      await this.session.connect().catch(() => undefined);
      if (this.wantsRecording()) return this.enterRecording(this.store.settings.autoplay);
    }
    await this.session.start();
  }

  /** Whether the current scene plays its recording: it has one and this device is too slow for it. */
  private wantsRecording(): boolean {
    const scene = this.lesson !== null ? sceneAt(this.lesson) : undefined;
    return scene?.recording !== undefined && needsRecordedRun(this.store.run.backend) === true;
  }

  /** Plays the scene's recorded run in the views instead of training (the session stays paused). */
  private async enterRecording(play: boolean): Promise<void> {
    const path = sceneAt(this.lesson ?? 0)?.recording;
    if (!path) return;
    this.session.pause();
    try {
      const run = await loadRecordedRun(path);
      this.leaveRecording();
      this.store.setRun({ problem: null, info: null });
      this.player = new RecordingPlayer(this.store, run);
      if (play) this.player.play();
    } catch (error) {
      this.store.setRun({ problem: `The recorded run could not be played: ${(error as Error).message}` });
    }
  }

  private leaveRecording(): void {
    this.player?.dispose();
    this.player = null;
    this.opened = null;
    this.liveView = null;
  }

  /** The scene's toggle: its settings with the toggle's query on top, a fresh run. */
  private async toggleScene(on: boolean): Promise<void> {
    const scene = this.lesson !== null ? sceneAt(this.lesson) : undefined;
    if (!scene?.toggle) return;
    this.sceneToggled = on;
    const query = on ? `${scene.query}&${scene.toggle.on}` : scene.query;
    const settings = parseLocation(query).settings;
    await this.startScene(settings, this.store.run.phase === 'running');
  }

  private togglePresent(): void {
    this.present = !this.present;
    this.syncUrl();
  }

  private toggleFullscreen(): void {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void document.documentElement.requestFullscreen?.().catch(() => undefined);
  }

  private leaveLesson(): void {
    if (this.player) {
      // The sandbox trains live: the recording gives way to a fresh run of the same settings.
      this.leaveRecording();
      void this.session.reset();
    }
    this.lesson = null;
    this.present = false;
    this.syncUrl();
  }

  private startLesson(): void {
    void this.goToScene(1);
  }

  /** The address bar follows the settings, so copying it shares this exact run. */
  private syncUrl(): void {
    const query = serializeLocation(this.lesson, this.present, this.store.settings);
    if (query === this.lastQuery) return;
    this.lastQuery = query;
    history.replaceState(null, '', `${location.pathname}?${query}`);
  }

  private renderNotices() {
    return renderNotices(this.store);
  }

  private shownVariants(): VariantName[] {
    // A run opened from a file shows its own variants.
    return shownVariants(this.opened?.run.config.variants ?? this.store.settings.variants, this.store.run);
  }

  private renderVisuals() {
    const s = this.store.settings;
    const images = isImageData(this.opened?.run.config.data ?? s.data);
    const samples = html`<sngan-samples
      .run=${this.store.run}
      .variants=${this.shownVariants()}
      .images=${images}
      .arrows=${s.arrows}
      .heatmap=${s.heatmap}
      .size=${this.panelSize(images)}
    ></sngan-samples>`;
    return html`<h2>
        ${images ? 'Samples from a fixed z' : 'What each discriminator sees'}
        <sngan-info topic=${images ? 'samples-images' : 'samples-2d'}></sngan-info>
      </h2>
      <p class="caption">
        ${
          images
            ? '64 digits per variant from the same noise, refreshed at every statistics step.'
            : html`Real data (black) and each variant's generated points over its discriminator's output D(x): green
              where D says “real”, purple where it says “fake”.`
        }
      </p>
      ${this.renderDrawing(samples)}`;
  }

  /** With data=drawn, the drawing pad beside the variants' views (which wrap below it when narrow). */
  private renderDrawing(samples: TemplateResult) {
    const s = this.store.settings;
    if (this.opened || s.data !== 'drawn') return samples;
    return html`<div class="visuals drawing">
      <section class="draw" aria-label="Your drawing">
        <h3>Your drawing <sngan-info topic="draw"></sngan-info></h3>
        <sngan-draw-pad
          .points=${s.points}
          .size=${this.panelSize(false)}
          @drawing-change=${(e: CustomEvent<number[]>) =>
            void this.session.applySettings({ ...this.store.settings, points: e.detail })}
        ></sngan-draw-pad>
      </section>
      ${samples}
    </div>`;
  }

  /** Side of one sample panel: on a phone the full width of the column (less the host's padding). */
  private panelSize(images: boolean): number {
    return this.screen.phone ? Math.floor(this.screen.width - 2 * 19.2 - 2) : images ? 272 : 290;
  }

  /** The way into the lesson from the top of the sandbox page, or the lesson's bar above scene 7. */
  private renderLessonEntry() {
    if (this.lesson === null) {
      return html`<nav aria-label="The lesson">
        <a
          class="lesson-entry"
          data-testid="start-lesson"
          href=${`?lesson=1`}
          @click=${(e: Event) => {
            e.preventDefault();
            this.startLesson();
          }}
        >
          <strong>New to spectral normalization? Start the lesson →</strong>
          <span
            >${SCENES.length} short scenes, each a live run: what D sees, the Lipschitz bound, the power iteration,
            spectra, aggressive learning rates. For a projector: press <kbd>P</kbd>.</span
          >
        </a>
      </nav>`;
    }
    return html`<sngan-lesson
      .store=${this.store}
      .session=${this.session}
      .scene=${this.lesson}
      .present=${false}
      compact
    ></sngan-lesson>`;
  }

  private renderLesson() {
    return html`<sngan-lesson
      .store=${this.store}
      .session=${this.session}
      .scene=${this.lesson ?? SCENES.length}
      .present=${this.present}
      .toggled=${this.sceneToggled}
      .free=${this.lesson === null}
      .player=${this.player}
      @scene-change=${(e: CustomEvent<number>) => void this.goToScene(e.detail)}
      @scene-toggle=${(e: CustomEvent<boolean>) => void this.toggleScene(e.detail)}
      @present-toggle=${() => this.togglePresent()}
      @leave-lesson=${() => this.leaveLesson()}
    ></sngan-lesson>`;
  }

  override render() {
    const scene = this.lesson !== null ? sceneAt(this.lesson) : undefined;
    if (this.present || (scene && !scene.sandbox)) return this.renderLesson();
    const s = this.store.settings;
    const run = this.store.run;
    // An opened run file is drawn with its own settings; the controls (which would start a new live run) wait.
    const recorded = this.opened?.run.config;
    const data = recorded?.data ?? s.data;
    const sidebar = !recorded && SIDEBAR_GROUPS.some((g) => !s.hidden.includes(g));
    const modes = (dataset2dOf(data, recorded ? recorded.points : s.points)?.modes?.length ?? 0) / 2 || null;
    const shown = this.shownVariants();
    return html`
      <header>
        <h1>SN-GAN Live</h1>
        <p>
          Spectral normalization (Miyato et al., ICLR 2018) against weight normalization and no normalization, trained
          side by side on your GPU. Keys: <kbd>Space</kbd> train/pause, <kbd>S</kbd> step, <kbd>R</kbd> reset,
          <kbd>P</kbd> presentation mode.
        </p>
      </header>
      ${this.renderLessonEntry()}
      <section class="bar" aria-label="Run">
        <sngan-status-line .store=${this.store}></sngan-status-line>
        ${
          this.opened && this.player
            ? html`<sngan-recording-bar
                .store=${this.store}
                .player=${this.player}
                @leave-recording=${() => this.closeRunFile()}
              ></sngan-recording-bar>`
            : html`<sngan-toolbar .store=${this.store} .session=${this.session}></sngan-toolbar>`
        }
        <sngan-run-files
          .store=${this.store}
          .session=${this.session}
          .opened=${this.opened}
          @run-file-opened=${(e: CustomEvent<OpenedRunFile>) => void this.openRunFile(e.detail)}
        ></sngan-run-files>
        ${this.renderNotices()}
      </section>
      <div class="layout ${sidebar ? '' : 'full'}">
        ${
          sidebar
            ? html`<aside>
                <!-- Folded on a small screen (the views come first), open and without a summary on a wide one. -->
                <details class="controls-panel" data-testid="controls-panel" ?open=${!this.screen.oneColumn}>
                  <summary>Settings: variants, data, hyperparameters, seed, link</summary>
                  <sngan-settings-panel .store=${this.store} .session=${this.session}></sngan-settings-panel>
                </details>
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
            .loss=${recorded?.loss ?? s.loss}
            .dataKind=${isImageData(data) ? 'images' : '2d'}
            .modes=${modes}
            .scoreProblem=${run.scoreProblem}
          ></sngan-training-charts>
          <h2>Singular values of every discriminator layer</h2>
          <sngan-spectra-panel
            .history=${run.history}
            .variants=${shown}
            .spectraEvery=${recorded?.spectraEvery ?? s.spectraEvery}
            .problem=${run.spectraProblem}
          ></sngan-spectra-panel>
          ${
            s.hidden.includes('selftest')
              ? ''
              : // The (i) sits in a heading beside the summary: a button inside a summary is a control
                // inside a control, which screen readers announce as one and keyboards cannot reach.
                html`<h2 class="selftest-title">Kernel self-test <sngan-info topic="selftest"></sngan-info></h2>
                  <details data-testid="selftest-details">
                    <summary>Every WGSL kernel against its float64 twin</summary>
                    <sngan-selftest></sngan-selftest>
                  </details>`
          }
        </main>
      </div>
    `;
  }
}
