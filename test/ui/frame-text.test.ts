import { describe, expect, it } from 'vitest';
import { describeField, describeImages } from '../../src/ui/a11y/frame-text';
import type { FieldFrame, ImageFrame } from '../../src/ui/view-model';

const field = (over: Partial<FieldFrame>): FieldFrame => ({
  variant: 'sn',
  step: 400,
  extent: [-2, 2, -2, 2],
  gridSize: 2,
  field: null,
  fieldIsProbability: true,
  samples: null,
  arrows: null,
  diverged: null,
  ...over,
});

describe('field views in words', () => {
  it('give the points’ centre and spread and D’s range over the plane', () => {
    // Four points on a square around (1, −1), each √2 from its centre.
    const samples = new Float32Array([0, 0, 2, 0, 0, -2, 2, -2]);
    const text = describeField(field({ samples, field: new Float32Array([0.04, 0.5, 0.97, 0.2]) }));
    expect(text).toBe(
      'Spectral norm at step 400: 4 generated points around (1, -1), spread 1.41; D from 0.04 (fake) to 0.97 (real) over the plane.',
    );
  });

  it('count non-finite points apart and say when the variant diverged, never reading NaN as 0', () => {
    const samples = new Float32Array([1, 1, NaN, 0, 3, 3, Infinity, 1]);
    const text = describeField(field({ variant: 'none', samples, field: new Float32Array([NaN, NaN]), diverged: 380 }));
    expect(text).toBe(
      'No normalization at step 400: 4 generated points around (2, 2), spread 1.41 (2 not finite); D not finite; diverged at step 380 (NaN/∞).',
    );
  });
  it('read D’s range over the finite values only (∞ is not a score)', () => {
    const text = describeField(field({ field: new Float32Array([NaN, Infinity, 0.3, -Infinity, 0.1]) }));
    expect(text).toContain('D from 0.1 (fake) to 0.3 (real)');
    expect(describeField(field({ field: new Float32Array([NaN, Infinity]) }))).toContain('D not finite');
  });
});

describe('digit grids in words', () => {
  const frame = (images: number[]): ImageFrame => ({
    variant: 'wn',
    step: 1200,
    images: new Float32Array(images),
    count: images.length / 4,
    side: 2,
    diverged: null,
  });

  it('give how many images are shown, their mean brightness and how much of them is bright', () => {
    // Two 2 × 2 images, 3 of 8 pixels bright (mean −3/8); the third image is not drawn and does not count.
    const text = describeImages(frame([-1, -1, 1, -1, 0.5, -1, 0.5, -1, 1, 1, 1, 1]), 2);
    expect(text).toBe(
      'Weight norm at step 1,200: 2 generated images of 2 × 2 pixels; mean brightness -0.375 on −1…1, 38% of pixels bright.',
    );
  });

  it('says so when nothing is finite', () => {
    expect(describeImages(frame([NaN, NaN, NaN, NaN]), 1)).toContain('no finite pixel');
  });
});
