import { describe, expect, it } from 'vitest';
import { fitTitle, wrapText } from '../../src/ui/canvas-text';

/** A monospace font: each character is 0.6 of the font size wide. */
const mono = (px: number) => (s: string) => s.length * 0.6 * px;

describe('wrapText', () => {
  it('breaks between words so that no line is wider than the box', () => {
    const lines = wrapText('Gradient norm ‖∇ₓD(x)‖ on real data', 10 * 6, mono(10));
    expect(lines).toEqual(['Gradient', 'norm', '‖∇ₓD(x)‖', 'on real', 'data']);
    for (const line of lines) expect(mono(10)(line)).toBeLessThanOrEqual(60);
  });

  it('keeps a word wider than the box whole, on a line of its own', () => {
    expect(wrapText('a incomprehensibilities b', 30, mono(10))).toEqual(['a', 'incomprehensibilities', 'b']);
  });
});

describe('fitTitle', () => {
  const title = 'Modes covered (of 25)'; // 21 characters: 12.6 px per px of font

  it('keeps the full size when the title fits on one line', () => {
    expect(fitTitle(title, 1000, 17, mono)).toEqual({ lines: [title], size: 17 });
  });

  it('shrinks a little rather than wrap', () => {
    // 12.6 × 17 = 214 px at full size; at 0.8 × 17 it is 171 px.
    const fitted = fitTitle(title, 180, 17, mono);
    expect(fitted.lines).toEqual([title]);
    expect(fitted.size).toBeCloseTo(0.8 * 17);
  });

  it('wraps onto two lines at the largest size that allows it when one line would be too small', () => {
    const fitted = fitTitle(title, 140, 17, mono);
    expect(fitted.size).toBe(17);
    expect(fitted.lines).toEqual(['Modes covered', '(of 25)']);
  });

  it('uses the smallest size when even two lines do not fit', () => {
    const fitted = fitTitle('σᵢ²/σ₁² of W̄ (paper Fig. 3) — layer 2 · 64×64', 60, 17, mono);
    expect(fitted.size).toBeCloseTo(0.7 * 17);
    expect(fitted.lines.length).toBeGreaterThan(2);
  });
});
