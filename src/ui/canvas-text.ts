/**
 * Text drawn on canvases (chart titles, exported pictures' captions) is wrapped here, because a
 * canvas squeezes a line wider than its box (fillText's maxWidth) into unreadable, condensed glyphs.
 */

/** Greedy word wrap of `text` to `width`, measured by `measure` (pixels of a string). */
export function wrapText(text: string, width: number, measure: (s: string) => number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && measure(next) > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

let context: CanvasRenderingContext2D | null = null;

/** A measuring function for a CSS font (one shared 2-D context: measuring allocates nothing). */
export function textMeasure(font: string): (s: string) => number {
  context ??= document.createElement('canvas').getContext('2d');
  return (s) => {
    if (!context) return 0;
    context.font = font;
    return context.measureText(s).width;
  };
}

/** Font sizes a title may shrink to, as fractions of its own, before it wraps onto more lines. */
const TITLE_SHRINK = [1, 0.9, 0.8, 0.7];

/**
 * A title's lines and font size for a box `width` wide: one line at up to 20% smaller, else two
 * lines at up to 30% smaller, else as few lines as the smallest size gives. Each line of a title
 * costs a short chart a tenth of its plot, so a slightly smaller title is the better trade.
 */
export function fitTitle(
  text: string,
  width: number,
  size: number,
  measureAt: (px: number) => (s: string) => number,
): { lines: string[]; size: number } {
  const tries = TITLE_SHRINK.map((f) => ({ size: size * f, lines: wrapText(text, width, measureAt(size * f)) }));
  return (
    tries.slice(0, 3).find((t) => t.lines.length === 1) ??
    tries.find((t) => t.lines.length <= 2) ??
    tries[tries.length - 1]
  );
}
