/**
 * Canvas redraws of the page (charts, heatmaps, digit grids), spread over animation frames: a
 * refresh can ask for a dozen redraws of several milliseconds each, and doing them all in one
 * task would block the main thread for tens of milliseconds. Each frame draws until its budget
 * is spent; the rest wait for the next frame. A target asked for twice before it is drawn is
 * drawn once.
 */
export interface Drawable {
  draw(): void;
}

const pending = new Set<Drawable>();
const BUDGET_MS = 8;
let frame = 0;

export function scheduleDraw(target: Drawable): void {
  pending.add(target);
  frame ||= requestAnimationFrame(flush);
}

export function cancelDraw(target: Drawable): void {
  pending.delete(target);
}

function flush(): void {
  frame = 0;
  const began = performance.now();
  for (const target of pending) {
    pending.delete(target);
    target.draw();
    if (performance.now() - began > BUDGET_MS) break;
  }
  if (pending.size > 0) frame = requestAnimationFrame(flush);
}
