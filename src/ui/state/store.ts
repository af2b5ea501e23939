/**
 * The page's one store: the settings (what the URL holds) and the run state (what the session
 * reports). Components observe it through StoreController and change it only through its methods
 * or the session; nothing else holds page state. Updates are batched into one notification per
 * microtask, so a burst of changes re-renders once.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { VariantName } from '../../gan/config';
import type { RecordingLabel } from '../../recording/recording-label';
import type { FieldFrame, ImageFrame, MetricsHistory, RatePoint } from '../view-model';
import { DEFAULT_SETTINGS, type PageSettings } from './settings';
import type { UrlNotice } from './url-state';

export type RunPhase = 'idle' | 'starting' | 'running' | 'paused' | 'recovering' | 'failed';

export interface BackendInfo {
  kind: 'webgpu' | 'cpu';
  /** Adapter name, or the CPU backend's description. */
  description: string;
  /** Why the CPU backend runs (no WebGPU, no adapter, device too small, device lost…). */
  fallbackReason: string | null;
}

/** What the run holds on its backend: GPU buffers (the registry) or the CPU backend's tensors. */
export interface RunMemory {
  kind: 'webgpu' | 'cpu';
  /** Live GPU buffers, or live CPU tensors. */
  items: number;
  bytes: number;
}

export interface RunState {
  phase: RunPhase;
  /** Set while paused because the tab is hidden; training resumes when it is visible again. */
  hiddenPause: boolean;
  step: number;
  stepsPerSecond: number;
  framesPerSecond: number;
  backend: BackendInfo | null;
  /** Variants of the current run (enabled when it started, minus those switched off since). */
  variants: VariantName[];
  diverged: Partial<Record<VariantName, number>>;
  history: MetricsHistory;
  rates: RatePoint[];
  fields: Partial<Record<VariantName, FieldFrame>>;
  images: Partial<Record<VariantName, ImageFrame>>;
  /** Real data to draw under the generated points (2-D). */
  realPoints: Float32Array | null;
  /** A problem the visitor must see (device lost, invalid settings, a failed start). */
  problem: string | null;
  /** Why some spectra are missing (the spectrum worker failed), shown on the spectra panel. */
  spectraProblem: string | null;
  /** Why some digit scores are missing (the digit-score worker failed), shown by the score charts. */
  scoreProblem: string | null;
  /** Things the visitor should know that are not problems (restarts, recoveries). */
  info: string | null;
  /**
   * Set while a recorded run plays (src/ui/recording/recording-player.ts): what it was recorded
   * on. `backend` still describes the visitor's own device; everything else is the recording's.
   */
  recording: RecordingLabel | null;
  /** The run's live buffers and bytes as of the last publish (null before the first run). */
  memory: RunMemory | null;
}

export const initialRun = (): RunState => ({
  phase: 'idle',
  hiddenPause: false,
  step: 0,
  stepsPerSecond: 0,
  framesPerSecond: 0,
  backend: null,
  variants: [],
  diverged: {},
  history: new Map(),
  rates: [],
  fields: {},
  images: {},
  realPoints: null,
  problem: null,
  spectraProblem: null,
  scoreProblem: null,
  info: null,
  recording: null,
  memory: null,
});

export class AppStore {
  settings: PageSettings = { ...DEFAULT_SETTINGS };
  run: RunState = initialRun();
  urlNotices: UrlNotice[] = [];
  /** Loads the new version of the page the service worker holds ready, or null if there is none. */
  pendingUpdate: (() => void) | null = null;
  private listeners = new Set<() => void>();
  private queued = false;

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setSettings(patch: Partial<PageSettings>): void {
    this.settings = { ...this.settings, ...patch };
    this.notify();
  }

  setRun(patch: Partial<RunState>): void {
    this.run = { ...this.run, ...patch };
    this.notify();
  }

  setUrlNotices(notices: UrlNotice[]): void {
    this.urlNotices = notices;
    this.notify();
  }

  setPendingUpdate(apply: (() => void) | null): void {
    this.pendingUpdate = apply;
    this.notify();
  }

  private notify(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      for (const listener of this.listeners) listener();
    });
  }
}

/** Re-renders a Lit component whenever the store changes. */
export class StoreController implements ReactiveController {
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    readonly store: AppStore,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.unsubscribe = this.store.subscribe(() => this.host.requestUpdate());
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
