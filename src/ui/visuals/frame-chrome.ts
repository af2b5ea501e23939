/**
 * What the field view and the digit grid share around their canvas: the title (variant swatch,
 * name, step), the "waiting" and "diverged" overlays, and their styles.
 */
import { css, html, nothing } from 'lit';
import { VARIANT_TITLES, type VariantName } from '../../gan/config';
import { VARIANT_SHORT } from '../charts/series';
import './legend';

export const frameStyles = css`
  :host {
    display: inline-block;
    /* The lesson's presentation mode sets these for the back row. */
    font:
      var(--frame-font, 13px) / 1.4 system-ui,
      sans-serif;
    color: #222;
  }
  .title {
    display: flex;
    align-items: center;
    gap: 0.4rem;
    margin-bottom: 0.2rem;
    font-weight: 600;
    /* Never wider than the picture: a long name is cut with an ellipsis (the (i) explains it). */
    max-width: var(--frame-width, none);
    overflow: hidden;
    white-space: nowrap;
  }
  .title > span {
    overflow: hidden;
    text-overflow: ellipsis;
    min-width: 0;
  }
  .step {
    font-weight: 400;
    color: #555;
    font-variant-numeric: tabular-nums;
  }
  .plot {
    position: relative;
    line-height: 0;
  }
  canvas {
    display: block;
  }
  .plot:hover > sngan-image-export {
    opacity: 1;
  }
  .overlay {
    position: absolute;
    inset: 0;
    display: flex;
    align-items: center;
    justify-content: center;
    text-align: center;
    line-height: 1.4;
    padding: 1rem;
  }
  .waiting {
    color: #666;
    background: #fafafa;
  }
  .diverged {
    background: rgb(140 140 140 / 0.55);
  }
  .diverged span {
    background: #fff;
    border: 2px solid #333;
    padding: 0.3rem 0.6rem;
    font-weight: 600;
  }
`;

/** Below this picture width (in the title's font size) the title is the short name and the bare step. */
export const COMPACT_TITLE_EM = 15;

/** The font size a frame's title is drawn in, for the width check above (13 px until measured). */
export function titleFontPx(host: HTMLElement): number {
  return parseFloat(getComputedStyle(host).fontSize) || 13;
}

export function frameTitle(frame: { variant: VariantName; step: number } | null, width = Infinity, fontPx = 13) {
  // "Weight clipping step 1,000" needs about 15 em: on a 720p slide panels are 6–12 em wide and
  // the full title was cut to "S… s…", so narrow panels say "SN 10" (the legend's names) and
  // keep the full title for hover.
  const compact = width < COMPACT_TITLE_EM * fontPx;
  const step = frame?.step.toLocaleString('en-US');
  return html`<div class="title" title=${frame ? `${VARIANT_TITLES[frame.variant]}, step ${step}` : nothing}>
    ${
      frame
        ? html`<sngan-variant-swatch .variant=${frame.variant}></sngan-variant-swatch>
            <span>${compact ? VARIANT_SHORT[frame.variant] : VARIANT_TITLES[frame.variant]}</span>
            <span class="step">${compact ? step : `step ${step}`}</span>`
        : html`<span class="step">no variant yet</span>`
    }
  </div>`;
}

/** "Waiting" until there is something to draw; a grey wash and the step once the variant diverged. */
export function frameOverlays(waiting: boolean, diverged: number | null) {
  return html`${waiting ? html`<div class="overlay waiting">waiting for the first statistics…</div>` : nothing}
  ${
    typeof diverged === 'number'
      ? html`<div class="overlay diverged" role="status">
          <span>diverged at step ${diverged.toLocaleString('en-US')} (NaN/∞)</span>
        </div>`
      : nothing
  }`;
}
