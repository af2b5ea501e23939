/**
 * "Save PNG" and "Copy image" for any chart or view: the picture at twice the screen's pixel
 * ratio with its title and legend (a chart draws its own; a field view or digit grid gets its
 * variant, step and key as text) and the caption lines, on white.
 */
import { canCopyImages, copyImage, downloadBlob, fileSlug } from './download';
import { liveChartIn, redrawChart } from './chart-picture';
import { framePicture, isFrameElement } from './frame-picture';
import { wrapText } from '../canvas-text';

/** Dispatched (bubbling, composed) by `<sngan-image-export>`; the page answers it. */
export const EXPORT_IMAGE_EVENT = 'sngan-export-image';

export interface ExportImageDetail {
  action: 'save' | 'copy';
  /** The chart or view element whose picture is wanted. */
  source: Element;
}

/** Device pixels per CSS px of an exported picture: twice the screen's. */
export const exportPixelRatio = (): number => 2 * Math.max(1, window.devicePixelRatio || 1);

const FONT = 'system-ui, sans-serif';

interface Composition {
  picture: HTMLCanvasElement;
  title?: { text: string; color: string };
  notes: string[];
  caption: string[];
  /** Pixels per CSS px. */
  scale: number;
}

/** Wraps one line of text to `width` pixels in the context's current font. */
function wrap(ctx: CanvasRenderingContext2D, text: string, width: number): string[] {
  return wrapText(text, width, (s) => ctx.measureText(s).width);
}

/** Title above, picture, notes and caption below, on a white canvas as wide as the picture. */
export function compose({ picture, title, notes, caption, scale }: Composition): HTMLCanvasElement {
  const pad = 6 * scale;
  const titleSize = 14 * scale;
  const textSize = 11 * scale;
  const lineHeight = 1.35;
  const measure = document.createElement('canvas').getContext('2d')!;
  measure.font = `${textSize}px ${FONT}`;
  const textWidth = picture.width - 2 * pad;
  const noteLines = notes.flatMap((n) => wrap(measure, n, textWidth));
  const captionLines = caption.flatMap((c) => wrap(measure, c, textWidth));
  const titleHeight = title ? titleSize * lineHeight + pad : 0;
  const below = (noteLines.length + captionLines.length) * textSize * lineHeight + 2 * pad;
  const out = document.createElement('canvas');
  out.width = picture.width;
  out.height = Math.ceil(titleHeight + picture.height + below);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.textBaseline = 'top';
  if (title) {
    const swatch = 22 * scale;
    ctx.strokeStyle = title.color;
    ctx.lineWidth = 3 * scale;
    ctx.beginPath();
    ctx.moveTo(pad, pad + titleSize / 2);
    ctx.lineTo(pad + swatch, pad + titleSize / 2);
    ctx.stroke();
    ctx.fillStyle = '#111';
    ctx.font = `bold ${titleSize}px ${FONT}`;
    ctx.fillText(title.text, pad + swatch + pad, pad);
  }
  ctx.drawImage(picture, 0, titleHeight);
  let y = titleHeight + picture.height + pad;
  ctx.font = `${textSize}px ${FONT}`;
  for (const [lines, color] of [
    [noteLines, '#222'],
    [captionLines, '#555'],
  ] as const) {
    ctx.fillStyle = color;
    for (const line of lines) {
      ctx.fillText(line, pad, y);
      y += textSize * lineHeight;
    }
  }
  return out;
}

/** The element's picture, composed for export, and a file name for it; null if it shows nothing yet. */
export function exportPicture(
  source: Element,
  caption: string[],
  step: number,
): { canvas: HTMLCanvasElement; filename: string } | null {
  const scale = exportPixelRatio();
  const chart = liveChartIn(source);
  if (chart) {
    const el = source as HTMLElement & { chartTitle?: string; compact?: boolean; xLabel?: string; yLabel?: string };
    const name = el.chartTitle || 'chart';
    // A small multiple draws no axis titles: the picture says what its axes are.
    const notes = el.compact && el.yLabel ? [`${el.yLabel} against ${el.xLabel || 'x'}`] : [];
    const canvas = compose({ picture: redrawChart(chart, scale), notes, caption, scale });
    return { canvas, filename: `${fileSlug('sngan', name, 'step', step)}.png` };
  }
  if (isFrameElement(source)) {
    const frame = framePicture(source, scale);
    if (!frame) return null;
    const canvas = compose({
      picture: frame.canvas,
      title: { text: frame.title, color: frame.color },
      notes: frame.notes,
      caption,
      scale,
    });
    return { canvas, filename: `${fileSlug('sngan', frame.title)}.png` };
  }
  return null;
}

const pngOf = (canvas: HTMLCanvasElement): Promise<Blob> =>
  new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('the browser could not encode the PNG'))),
      'image/png',
    ),
  );

/** Saves or copies the picture; throws with a sentence when there is nothing to export or the copy is refused. */
export async function exportImage(detail: ExportImageDetail, caption: string[], step: number): Promise<void> {
  const picture = exportPicture(detail.source, caption, step);
  if (!picture) throw new Error('this view has nothing to export yet');
  const png = await pngOf(picture.canvas);
  if (detail.action === 'save') downloadBlob(png, picture.filename);
  else if (canCopyImages()) await copyImage(png);
  else throw new Error('this browser does not allow copying images; use Save PNG');
}
