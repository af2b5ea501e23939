/**
 * A field view's or digit grid's picture for export: drawn afresh at the export's pixel ratio (the
 * field view), or its canvas scaled nearest-neighbour (the digits: that is how they are drawn), with what the page draws around it in HTML — the
 * variant's name and step, the "diverged" label and, for a heatmap, its colour key — as lines of
 * text the composer puts above and below it.
 */
import { VARIANT_TITLES } from '../../gan/config';
import { VARIANT_STYLES } from '../palette';
import type { FieldFrame, ImageFrame } from '../view-model';

export interface FramePicture {
  canvas: HTMLCanvasElement;
  title: string;
  /** The variant's colour, for the title's swatch. */
  color: string;
  notes: string[];
}

type FrameElement = HTMLElement & {
  frame: FieldFrame | ImageFrame | null;
  showHeatmap?: boolean;
  /** The field view draws itself afresh at any pixel ratio. */
  exportCanvas?: (pixelRatio: number) => HTMLCanvasElement;
};

export const isFrameElement = (element: Element): element is FrameElement =>
  element.tagName === 'SNGAN-FIELD-VIEW' || element.tagName === 'SNGAN-IMAGE-GRID';

export function framePicture(element: FrameElement, pixelRatio: number): FramePicture | null {
  const source = element.shadowRoot?.querySelector('canvas');
  const frame = element.frame;
  if (!source || !frame || source.width === 0) return null;
  const digits = element.tagName === 'SNGAN-IMAGE-GRID';
  let canvas: HTMLCanvasElement;
  if (element.exportCanvas) canvas = element.exportCanvas(pixelRatio);
  else {
    canvas = document.createElement('canvas');
    canvas.width = Math.round(source.clientWidth * pixelRatio);
    canvas.height = Math.round(source.clientHeight * pixelRatio);
    const ctx = canvas.getContext('2d')!;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  }
  const notes: string[] = [];
  if (frame.diverged !== null) notes.push(`Diverged at step ${frame.diverged.toLocaleString('en-US')} (NaN/∞).`);
  if (!digits) {
    const field = frame as FieldFrame;
    notes.push(
      field.field && element.showHeatmap !== false
        ? `Black: real data; markers: generated points; background: D(x), purple judged fake → green judged real.`
        : 'Black: real data; markers: generated points.',
    );
  }
  return {
    canvas,
    title: `${VARIANT_TITLES[frame.variant]} — step ${frame.step.toLocaleString('en-US')}`,
    color: VARIANT_STYLES[frame.variant].color,
    notes,
  };
}
