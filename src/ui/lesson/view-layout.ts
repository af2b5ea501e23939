/**
 * Where a scene's views go in the space the stage has: the samples (one square panel per variant)
 * as large as they can be, the charts sharing what is left. Pure arithmetic, so it is tested
 * without a browser and the page never scrolls in presentation mode.
 */
import type { SceneView } from '../../lesson/scenes';

export interface ViewBox {
  /** Width of the view's box in CSS px. */
  width: number;
  /** Height of a chart's drawing area (charts) in CSS px. */
  chartHeight: number;
  /** Side of one square sample panel (samples view) in CSS px. */
  panel?: number;
}

export interface ViewLayout {
  boxes: ViewBox[];
  /** Samples beside the charts (true) or above them (false). */
  sideBySide: boolean;
}

/** Lines of text around a chart (a spectrum view's key above it), in font heights. */
const chartChrome = (view: SceneView): number => (view.kind === 'spectra' ? 2.4 : 0.6);
/** A sample panel's title line above and colour key below, with their margins, in font heights. */
export const PANEL_CHROME = 3.3;
/** The same in presentation mode, where the key and ticks are hidden (the (i) explains them). */
export const PANEL_CHROME_PRESENT = 1.8;
/** The samples' heading line ("What each discriminator sees" and its (i)) above the panels, in font heights. */
export const SAMPLES_HEADING = 1.8;
/** One more line of that heading when it wraps, in font heights. */
export const SAMPLES_HEADING_LINE = 1.4;

/** Below this many font heights a chart under the samples is cramped. */
const CRAMPED_CHART = 12;
/** How much smaller the panels may get beside the charts when under them the charts are cramped. */
const BESIDE_TOLERANCE = 0.8;

/** The largest square panels for n of them in a w × h box: [side, columns]. */
function bestGrid(n: number, w: number, h: number, gap: number, chrome: number): [number, number] {
  let best: [number, number] = [0, n];
  for (let rows = 1; rows <= n; rows++) {
    const cols = Math.ceil(n / rows);
    const side = Math.min((w - (cols - 1) * gap) / cols, (h - (rows - 1) * gap) / rows - chrome);
    if (side > best[0]) best = [side, cols];
  }
  return [Math.max(0, Math.floor(best[0])), best[1]];
}

/**
 * `headingEm`: the samples' heading's width in font heights (0: it always fits on one line);
 * `panelChrome`: each panel's title and key.
 */
export function viewLayout(
  views: SceneView[],
  variants: number,
  width: number,
  height: number,
  fontPx: number,
  panelChrome = PANEL_CHROME,
  headingEm = 0,
): ViewLayout {
  // CSS gaps are 1em, a fraction of a pixel over a rounded font size: rounding down would let
  // two charts that "just fit" wrap onto a hidden second line (seen at 1920 × 1080).
  const gap = Math.ceil(fontPx);
  const chrome = panelChrome * fontPx;
  const samples = views.findIndex((v) => v.kind === 'samples');
  const charts = views.map((v, i) => ({ v, i })).filter(({ v }) => v.kind !== 'samples');
  const boxes: ViewBox[] = views.map(() => ({ width: 0, chartHeight: 0 }));
  const placeCharts = (w: number, h: number): void => {
    const each = Math.floor((w - gap * (charts.length - 1)) / Math.max(1, charts.length)) - 1;
    for (const { v, i } of charts)
      boxes[i] = { width: each, chartHeight: Math.max(80, Math.floor(h - chartChrome(v) * fontPx)) };
  };
  if (samples < 0) {
    placeCharts(width, height);
    return { boxes, sideBySide: false };
  }
  const n = Math.max(1, variants);
  // Option A: samples beside the charts (few variants); option B: samples above the charts.
  const besideWidth = charts.length === 0 ? width : width * 0.58;
  const heading = SAMPLES_HEADING * fontPx;
  let [besideSide, besideCols] = bestGrid(n, besideWidth, height - heading, gap, chrome);
  // The samples' heading wraps when the panels beside the charts are narrower than it: plan its
  // second line (unplanned, it pushed the last row of panels out of the slide).
  if (besideCols * besideSide + (besideCols - 1) * gap < headingEm * fontPx) {
    const twoLines = heading + SAMPLES_HEADING_LINE * fontPx;
    [besideSide, besideCols] = bestGrid(n, besideWidth, height - twoLines, gap, chrome);
  }
  const aboveHeight = charts.length === 0 ? height : height * 0.56;
  const [aboveSide, aboveCols] = bestGrid(n, width, aboveHeight - heading, gap, chrome);
  const aboveRows = Math.ceil(n / aboveCols);
  const restAbove = height - heading - aboveRows * (aboveSide + chrome) - (aboveRows - 1) * gap - gap;
  // Panels a little smaller beside the charts beat charts squeezed under them: a chart's title,
  // ticks and axis label take ~6 font heights, and a short one kept ~40 px of plot (scene 5 at 720p).
  const cramped = restAbove < CRAMPED_CHART * fontPx;
  const sideBySide =
    charts.length > 0 && (besideSide >= aboveSide || (cramped && besideSide >= BESIDE_TOLERANCE * aboveSide));
  if (sideBySide) {
    const used = besideCols * besideSide + (besideCols - 1) * gap;
    boxes[samples] = { width: used, chartHeight: 0, panel: besideSide };
    placeCharts(width - used - gap, height);
  } else {
    boxes[samples] = { width, chartHeight: 0, panel: aboveSide };
    if (charts.length > 0) placeCharts(width, restAbove);
  }
  return { boxes, sideBySide };
}

/** A chart's drawing height when the views are stacked (a phone), in font heights. */
export const STACKED_CHART_HEIGHT = 16;

/**
 * On a phone: every view at the full width, one under the other (the page scrolls there; only
 * presentation mode must fit one screen), sample panels one per row as wide as the column (less
 * their 1 px border).
 */
export function stackedLayout(views: SceneView[], width: number, fontPx: number): ViewLayout {
  const boxes = views.map((v): ViewBox =>
    v.kind === 'samples'
      ? { width, chartHeight: 0, panel: Math.max(0, Math.floor(width - 2)) }
      : { width, chartHeight: Math.round(STACKED_CHART_HEIGHT * fontPx) },
  );
  return { boxes, sideBySide: false };
}
