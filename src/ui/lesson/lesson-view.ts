/**
 * `<sngan-lesson>`: one scene of the lesson — its title as a heading, the text with typeset
 * mathematics, what to look for, and the scene's key views large — with the way through the
 * scenes (← →, a numbered list) and the few controls a lecture needs. In presentation mode the
 * scene fills the screen (16:9, no scrolling), the text gives way to the scene's one key line, and
 * fonts and chart lines grow with the screen.
 */
import { html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { dataset2dOf } from '../../data/mixtures';
import { SCENES, sceneAt, type Scene, type SceneView } from '../../lesson/scenes';
import type { VariantName } from '../../gan/config';
import { shownVariants } from '../state/shown-variants';
import type { TrainingSession } from '../session/session';
import type { RecordingPlayer } from '../recording/recording-player';
import { isImageData } from '../state/settings';
import { StoreElement } from '../controls/store-element';
import { lessonStyles } from './lesson-styles';
import { renderNotices } from '../controls/notices';
import { richText } from './rich-text';
import { PANEL_CHROME, PANEL_CHROME_PRESENT, stackedLayout, viewLayout, type ViewLayout } from './view-layout';
import { PHONE_QUERY } from '../a11y/screen';
import '../controls/status-line';
import '../spectra-panel';
import '../training-charts';
import '../visuals/samples-view';
import './info-button';
import { textMeasure } from '../canvas-text';

/** The look-for column's starting and largest width in presentation mode, in % of the slide. */
const ASIDE_WIDTH = 30;
const ASIDE_WIDTH_MAX = 46;
/** A chart is never shrunk below this many CSS px to fit the slide. */
const CHART_MIN = 60;

const samplesHeading = (images: boolean): string =>
  images ? 'Samples from a fixed z' : 'What each discriminator sees';
/** The (i) after a view's title and the gap before it, in font heights. */
const INFO_BUTTON_EM = 2;

/** Chart scale at 1280 × 720 in presentation mode; it grows with the screen's height. */
const PRESENT_SCALE_AT_720 = 1.6;

@customElement('sngan-lesson')
export class LessonView extends StoreElement {
  @property({ attribute: false }) session!: TrainingSession;
  /** The scene shown (1-based). */
  @property({ type: Number }) scene = 1;
  @property({ type: Boolean, reflect: true }) present = false;
  /** Whether the scene's toggle (e.g. warm-up rounds) is on. */
  @property({ type: Boolean }) toggled = false;
  /** Presentation mode of the sandbox page (no scene: the visitor's own settings). */
  @property({ type: Boolean }) free = false;
  /** A recorded run playing instead of live training: the controls drive it. */
  @property({ attribute: false }) player: RecordingPlayer | null = null;
  /** Only the way through the scenes and the scene's text (above the full page of the last scene). */
  @property({ type: Boolean, reflect: true }) compact = false;

  @query('.views') private viewsBox?: HTMLElement;
  @state() private layout: ViewLayout | null = null;
  /** Pixels taken off each chart's height where its keys and title came out taller than planned. */
  @state() private chartShrink: number[] = [];
  /** Width of the look-for column in presentation mode, in % of the slide: widened until its text fits. */
  @state() private asideWidth = ASIDE_WIDTH;
  private fitQueued = false;
  private resize?: ResizeObserver;
  /** How many variants the layout was computed for. */
  private laidOutFor = -1;

  static override styles = lessonStyles;

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize = new ResizeObserver(() => this.measure());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize?.disconnect();
  }

  override firstUpdated(): void {
    if (this.viewsBox) this.resize?.observe(this.viewsBox);
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('scene') || changed.has('present') || changed.has('compact')) {
      this.resize?.disconnect();
      if (this.viewsBox) this.resize?.observe(this.viewsBox);
      if (this.asideWidth !== ASIDE_WIDTH) this.asideWidth = ASIDE_WIDTH;
    }
    // The variants shown change as a run starts or one diverges: the panels are sized again.
    if (changed.size > 0 || this.shownVariants().length !== this.laidOutFor) this.measure();
    this.queueFit();
  }

  private queueFit(): void {
    if (!this.present || this.fitQueued) return;
    this.fitQueued = true;
    requestAnimationFrame(() => {
      this.fitQueued = false;
      this.fitSlide();
    });
  }

  /**
   * The layout plans with typical heights of titles and keys; what the browser really drew may be
   * taller (a key that wraps, a long look-for list). A slide must never clip, so a chart that
   * reaches below the views is made shorter by the excess, and a look-for column that overflows
   * is widened, until both fit.
   */
  private fitSlide(): void {
    const views = this.viewsBox;
    if (!views) return;
    const bottom = views.getBoundingClientRect().bottom;
    const shrink = [...this.chartShrink];
    let shrunk = false;
    views.querySelectorAll<HTMLElement>(':scope > .view').forEach((view, i) => {
      const over = view.getBoundingClientRect().bottom - bottom;
      if (over > 0.5 && this.current.views[i]?.kind !== 'samples') {
        shrink[i] = (shrink[i] ?? 0) + Math.ceil(over);
        shrunk = true;
      }
    });
    if (shrunk) this.chartShrink = shrink;
    const aside = this.renderRoot.querySelector('aside');
    if (aside && aside.scrollHeight > aside.clientHeight + 1 && this.asideWidth < ASIDE_WIDTH_MAX) this.asideWidth += 2;
  }

  private get current(): Scene {
    return sceneAt(this.scene) ?? SCENES[0];
  }

  /** Sizes the scene's views to the space they have (panels square, charts filling the rest). */
  private measure(): void {
    const box = this.viewsBox;
    if (!box) return;
    const { width, height } = box.getBoundingClientRect();
    this.laidOutFor = this.shownVariants().length;
    const chrome = this.present ? PANEL_CHROME_PRESENT : PANEL_CHROME;
    const font = this.fontPx();
    const next =
      !this.present && matchMedia(PHONE_QUERY).matches
        ? stackedLayout(this.current.views, width, this.fontPx())
        : viewLayout(this.current.views, this.laidOutFor, width, height, font, chrome, this.samplesHeadingEm(font));
    if (JSON.stringify(next) !== JSON.stringify(this.layout)) {
      this.layout = next;
      this.chartShrink = [];
    }
  }

  /** The samples' heading's width in font heights: its text (semibold) and the (i) beside it. */
  private samplesHeadingEm(font: number): number {
    const text = samplesHeading(isImageData(this.store.settings.data));
    return textMeasure(`600 ${font}px system-ui, sans-serif`)(text) / font + INFO_BUTTON_EM;
  }

  private fontPx(): number {
    return parseFloat(getComputedStyle(this).fontSize) || 16;
  }

  private shownVariants(): VariantName[] {
    return shownVariants(this.store.settings.variants, this.store.run);
  }

  private go(n: number): void {
    if (!sceneAt(n) || n === this.scene) return;
    this.dispatchEvent(new CustomEvent('scene-change', { detail: n, bubbles: true, composed: true }));
  }

  private leave(): void {
    this.dispatchEvent(new CustomEvent('leave-lesson', { bubbles: true, composed: true }));
  }

  private togglePresent(): void {
    this.dispatchEvent(new CustomEvent('present-toggle', { bubbles: true, composed: true }));
  }

  private flipToggle(e: Event): void {
    const on = (e.target as HTMLInputElement).checked;
    this.dispatchEvent(new CustomEvent('scene-toggle', { detail: on, bubbles: true, composed: true }));
  }

  private chartScale(): number {
    if (!this.present) return 1;
    return (PRESENT_SCALE_AT_720 * Math.max(window.innerHeight, 360)) / 720;
  }

  private renderNav() {
    const n = this.scene;
    return html`<nav class="scenes" aria-label="Lesson scenes">
      <button
        class="step-scene"
        data-testid="scene-prev"
        ?disabled=${n <= 1}
        @click=${() => this.go(n - 1)}
        aria-label="Previous scene"
        title="Previous scene (←)"
      >
        ←
      </button>
      <ol>
        ${SCENES.map(
          (s, i) =>
            html`<li>
              <button
                class=${i + 1 === n ? 'current' : ''}
                aria-current=${i + 1 === n ? 'step' : 'false'}
                title=${s.title}
                @click=${() => this.go(i + 1)}
              >
                <span class="num">${i + 1}</span>${i + 1 === n ? html`<span class="name">${s.title}</span>` : nothing}
              </button>
            </li>`,
        )}
      </ol>
      <button
        class="step-scene"
        data-testid="scene-next"
        ?disabled=${n >= SCENES.length}
        @click=${() => this.go(n + 1)}
        aria-label="Next scene"
        title="Next scene (→)"
      >
        →
      </button>
      <button
        class="leave"
        data-testid="leave-lesson"
        @click=${() => this.leave()}
        title="The full page, every control"
      >
        Leave the lesson
      </button>
    </nav>`;
  }

  private playPause(running: boolean): void {
    const target = this.player ?? this.session;
    if (running) target.pause();
    else target.play();
  }

  private stepOnce(): void {
    if (this.player) this.player.stepOnce();
    else void this.session.stepOnce('both');
  }

  private reset(): void {
    if (this.player) this.player.reset();
    else void this.session.reset();
  }

  /** What a recording is, on screen wherever it plays (the status line says it too, off the slide). */
  private renderRecordingLabel() {
    const recording = this.store.run.recording;
    if (!recording || !this.present) return nothing;
    return html`<p class="notice recording" data-testid="recording-label">
      Recorded run — ${recording.adapter}, ${recording.recordedAt}, ${recording.settings}
    </p>`;
  }

  private renderControls() {
    const phase = this.store.run.phase;
    const running = phase === 'running';
    const busy = phase === 'starting' || phase === 'recovering' || phase === 'failed';
    return html`<div class="controls" role="group" aria-label="Training">
      <button class="primary" data-testid="lesson-play" ?disabled=${busy} @click=${() => this.playPause(running)}>
        ${running ? '❚❚ Pause' : this.player ? '▶ Play' : '▶ Train'}
      </button>
      <button data-testid="lesson-step" ?disabled=${running || busy} @click=${() => this.stepOnce()}>Step</button>
      <button data-testid="lesson-reset" ?disabled=${busy} @click=${() => this.reset()}>⟲ Reset</button>
      <button data-testid="present-toggle" @click=${() => this.togglePresent()} title="Presentation mode (P)">
        ${this.present ? 'Leave presentation' : 'Present'}
      </button>
      <sngan-info topic="group-run"></sngan-info>
    </div>`;
  }

  private renderToggle(scene: Scene) {
    if (!scene.toggle) return nothing;
    return html`<label class="toggle">
      <input type="checkbox" data-testid="scene-toggle" .checked=${this.toggled} @change=${this.flipToggle} />
      ${scene.toggle.label}
    </label>`;
  }

  private renderView(view: SceneView, index: number) {
    const run = this.store.run;
    const s = this.store.settings;
    const shown = this.shownVariants();
    const box = this.layout?.boxes[index];
    const chartHeight = box ? Math.max(CHART_MIN, box.chartHeight - (this.chartShrink[index] ?? 0)) : 0;
    const style = box ? `width:${box.width}px;--chart-height:${chartHeight}px` : '';
    const scale = this.chartScale();
    if (view.kind === 'samples') {
      const images = isImageData(s.data);
      return html`<div class="view samples" style=${style}>
        <div class="view-title">
          ${samplesHeading(images)}
          <sngan-info topic=${images ? 'samples-images' : 'samples-2d'}></sngan-info>
        </div>
        <sngan-samples
          .run=${run}
          .variants=${shown}
          .images=${images}
          .arrows=${s.arrows}
          .heatmap=${s.heatmap}
          .size=${box?.panel ?? 260}
        ></sngan-samples>
      </div>`;
    }
    if (view.kind === 'chart') {
      const modes = (dataset2dOf(s.data, s.points)?.modes?.length ?? 0) / 2 || null;
      return html`<div class="view" style=${style}>
        <sngan-training-charts
          .history=${run.history}
          .variants=${shown}
          .loss=${s.loss}
          .dataKind=${isImageData(s.data) ? 'images' : '2d'}
          .modes=${modes}
          .only=${[view.chart]}
          .scale=${scale}
          .scoreProblem=${run.scoreProblem}
        ></sngan-training-charts>
      </div>`;
    }
    return html`<div class="view" style=${style}>
      <sngan-spectra-panel
        .history=${run.history}
        .variants=${shown}
        .spectraEvery=${s.spectraEvery}
        .lockedView=${view.view}
        .lockedLayer=${view.layer}
        .scale=${scale}
        .problem=${run.spectraProblem}
      ></sngan-spectra-panel>
    </div>`;
  }

  /** Problems, information and rejected link values, inside the scene so presentation mode shows them too. */
  private renderNotices() {
    return html`<div class="notices">${this.renderRecordingLabel()} ${renderNotices(this.store)}</div>`;
  }

  private renderLookFor(scene: Scene) {
    if (scene.lookFor.length === 0) return nothing;
    return html`<div class="look-for" data-testid="look-for">
      <strong>Look for</strong>
      ${scene.lookFor.map((line) => html`<div>${richText(line)}</div>`)}
    </div>`;
  }

  override render() {
    const scene = this.current;
    // The scene's title is the page's one h1, except above the sandbox page (scene 7), which has its own.
    const title = this.free
      ? html`SN-GAN Live`
      : html`<span class="scene-num">Scene ${this.scene} of ${SCENES.length}</span> ${scene.title}`;
    const heading = this.compact
      ? html`<h2 data-testid="scene-title">${title}</h2>`
      : html`<h1 data-testid="scene-title">${title}</h1>`;
    if (this.present) {
      // Views and what to look for side by side: a 16:9 screen has width to spare and no height,
      // and text below the views left the charts of a three-line scene no room at all at 720p.
      const aside = this.free ? nothing : [this.renderLookFor(scene), this.renderToggle(scene)];
      const hasAside = !this.free && (scene.lookFor.length > 0 || scene.toggle !== undefined);
      return html`<main class="slide" data-testid="lesson" data-scene=${this.free ? 0 : this.scene}>
        <header>
          ${heading}
          <div class="key-line">${this.free ? nothing : richText(scene.slide)}</div>
        </header>
        ${this.renderNotices()}
        <div
          class=${hasAside ? 'main with-aside' : 'main'}
          style=${hasAside ? `grid-template-columns: minmax(0, 1fr) ${this.asideWidth}%` : ''}
        >
          <div class="views">${scene.views.map((v, i) => this.renderView(v, i))}</div>
          ${hasAside ? html`<aside>${aside}</aside>` : nothing}
        </div>
        <footer>${this.renderControls()} ${this.free ? nothing : this.renderNav()}</footer>
      </main>`;
    }
    if (this.compact) {
      // Above the sandbox page's own main: a named region, so its text is inside a landmark too.
      return html`<section class="page" aria-label="The lesson" data-testid="lesson" data-scene=${this.scene}>
        ${this.renderNav()} ${heading}
        <div class="text" data-testid="scene-text">${richText(scene.text)}</div>
      </section>`;
    }
    return html`<main class="page" data-testid="lesson" data-scene=${this.scene}>
      ${this.renderNav()}
      <div class="body">
        <article>
          ${heading}
          <div class="text" data-testid="scene-text">${richText(scene.text)}</div>
          ${this.renderLookFor(scene)} ${this.renderToggle(scene)}
        </article>
        <section class="stage" aria-label="The scene's run">
          ${this.renderControls()} ${this.renderNotices()}
          <div class="views">${scene.views.map((v, i) => this.renderView(v, i))}</div>
          <!-- Below the views: it grows as the adapter's name or a recording's label arrives, and
               above them that pushed the whole scene down while the page loaded. -->
          <sngan-status-line .store=${this.store}></sngan-status-line>
        </section>
      </div>
    </main>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sngan-lesson': LessonView;
  }
}
