/**
 * `<sngan-run-files>`: the run in and out as files. Save run (JSON) in the CLI's `--out` schema,
 * Save metrics (CSV), and Open run… (a file picker; a file dropped anywhere on the page works too).
 * A file that opens is handed to the page as RUN_FILE_OPENED_EVENT; one that does not gets a
 * notice naming what is wrong, and the current run is left as it was.
 */
import { css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { metricsCsv } from '../../recording/metrics-csv';
import { parseRecordedRunText, type RecordedRun } from '../../recording/recorded-run';
import { runFileText } from '../../recording/run-file';
import { controlStyles } from '../controls/shared-styles';
import { StoreElement } from '../controls/store-element';
import type { TrainingSession } from '../session/session';
import { downloadText, fileSlug } from './download';
import { liveRunFile, shownMetrics } from './run-export';
import { RunFrames } from './run-frames';

export const RUN_FILE_OPENED_EVENT = 'run-file-opened';

/** A run file the visitor opened: its text as read (what Save run gives back) and what it holds. */
export interface OpenedRunFile {
  name: string;
  text: string;
  run: RecordedRun;
}

@customElement('sngan-run-files')
export class RunFiles extends StoreElement {
  @property({ attribute: false }) session!: TrainingSession;
  /** The run file being shown instead of the live run, or null. */
  @property({ attribute: false }) opened: OpenedRunFile | null = null;
  @state() private saving = false;
  @query('input[type=file]') private picker!: HTMLInputElement;

  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
      }
      .hint {
        color: #555;
        font-size: 0.9rem;
      }
    `,
  ];

  private frames: RunFrames | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.frames ??= new RunFrames(this.store, this.session);
    window.addEventListener('dragover', this.onDragOver);
    window.addEventListener('drop', this.onDrop);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.frames?.dispose();
    this.frames = null;
    window.removeEventListener('dragover', this.onDragOver);
    window.removeEventListener('drop', this.onDrop);
  }

  /** Only file drags are taken (the browser would otherwise open the file in place of the page). */
  private readonly onDragOver = (e: DragEvent): void => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  };

  private readonly onDrop = (e: DragEvent): void => {
    const file = e.dataTransfer?.files[0];
    if (!file) return;
    e.preventDefault();
    void this.open(file);
  };

  private onPicked(): void {
    const file = this.picker.files?.[0];
    this.picker.value = '';
    if (file) void this.open(file);
  }

  /** Reads and checks the file first: only a run that parses replaces what the page shows. */
  async open(file: File): Promise<void> {
    let run: RecordedRun;
    let text: string;
    try {
      text = await file.text();
      run = parseRecordedRunText(text);
    } catch (error) {
      this.store.setRun({
        problem: `Could not open ${file.name}: ${(error as Error).message}. The current run is unchanged.`,
      });
      return;
    }
    if (this.store.run.problem?.startsWith('Could not open')) this.store.setRun({ problem: null });
    const detail: OpenedRunFile = { name: file.name, text, run };
    this.dispatchEvent(new CustomEvent(RUN_FILE_OPENED_EVENT, { detail, bubbles: true, composed: true }));
  }

  private baseName(): string {
    const opened = this.opened;
    if (opened) return fileSlug(opened.name.replace(/\.json$/i, ''));
    return fileSlug('sngan-run', this.store.settings.data, 'step', this.store.run.step);
  }

  private async saveJson(): Promise<void> {
    this.saving = true;
    try {
      const text = this.opened
        ? this.opened.text
        : runFileText(await liveRunFile(this.store, this.session, this.frames!));
      downloadText(text, `${this.baseName()}.json`, 'application/json');
    } catch (error) {
      this.store.setRun({ problem: `Could not save the run: ${(error as Error).message}` });
    } finally {
      this.saving = false;
    }
  }

  private saveCsv(): void {
    const opened = this.opened;
    const order = opened?.run.config.variants ?? this.session.trainer?.config.variants ?? [];
    const metrics = opened ? opened.run.metrics : shownMetrics(this.store.run.history, order);
    downloadText(metricsCsv(metrics), `${this.baseName()}-metrics.csv`, 'text/csv');
  }

  override render() {
    const phase = this.store.run.phase;
    const live = !this.opened;
    const noRun = live && (phase === 'idle' || phase === 'starting' || phase === 'recovering' || phase === 'failed');
    return html`
      <button
        data-testid="save-run-json"
        ?disabled=${noRun || this.saving}
        title="The run as JSON: settings, every statistic, each D layer's W, W̄, ũ, σ̃ and singular values (npm run spectra reads it)"
        @click=${() => void this.saveJson()}
      >
        ${this.saving ? 'Saving…' : 'Save run (JSON)'}
      </button>
      <button
        data-testid="save-metrics-csv"
        ?disabled=${noRun}
        title="One row per captured step and variant"
        @click=${() => this.saveCsv()}
      >
        Save metrics (CSV)
      </button>
      <button
        data-testid="open-run"
        title="Show a saved run (from this page or npm run train --out)"
        @click=${() => this.picker.click()}
      >
        Open run…
      </button>
      <input
        type="file"
        accept=".json,application/json"
        data-testid="open-run-file"
        hidden
        aria-label="Run file to open"
        @change=${() => this.onPicked()}
      />
      <span class="hint">or drop a run file on the page</span>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sngan-run-files': RunFiles;
  }
}
