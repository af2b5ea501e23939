/**
 * The 2-D data sets of design.md §3. Each is a table of anchor points sampled uniformly plus
 * isotropic Gaussian noise: mixtures have one anchor per mode; the spiral and the moons are dense
 * anchors along their curves. One representation lets one GPU kernel sample all of them; a
 * hand-drawn data set (src/data/drawn.ts) is one more table of anchors.
 */
import { DRAWN_STD } from './drawn';

export const DATASET_2D_NAMES = ['ring8', 'grid25', 'spiral', 'moons'] as const;
export type Dataset2dName = (typeof DATASET_2D_NAMES)[number];

export interface Dataset2d {
  name: Dataset2dName | 'drawn';
  title: string;
  /** Row-major P×2 anchor points. */
  anchors: Float32Array;
  /** Standard deviation of the noise around an anchor. */
  std: number;
  /** Centres of the modes for the coverage metric; null for continuous shapes. */
  modes: Float32Array | null;
}

function ring8(): Dataset2d {
  // Angles 2πi/8 for i = 0…7: eight distinct centres on a circle of radius 2.
  const anchors = new Float32Array(16);
  for (let i = 0; i < 8; i++) {
    anchors[2 * i] = 2 * Math.cos((2 * Math.PI * i) / 8);
    anchors[2 * i + 1] = 2 * Math.sin((2 * Math.PI * i) / 8);
  }
  return { name: 'ring8', title: 'Ring of 8 Gaussians', anchors, std: 0.02, modes: anchors };
}

function grid25(): Dataset2d {
  // 5 × 5 centres at −4, −2, 0, 2, 4 on each axis, as in the VEEGAN benchmark.
  const anchors = new Float32Array(50);
  let k = 0;
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 5; j++) {
      anchors[k++] = -4 + 2 * i;
      anchors[k++] = -4 + 2 * j;
    }
  }
  return { name: 'grid25', title: 'Grid of 25 Gaussians', anchors, std: 0.05, modes: anchors };
}

function spiral(count = 1000): Dataset2d {
  // Archimedean spiral r ∝ θ over two turns, scaled to radius 2; anchors equally spaced in θ.
  const anchors = new Float32Array(count * 2);
  const turns = 2;
  for (let i = 0; i < count; i++) {
    const theta = 0.5 + ((turns * 2 * Math.PI - 0.5) * i) / (count - 1);
    const r = (2 * theta) / (turns * 2 * Math.PI);
    anchors[2 * i] = r * Math.cos(theta);
    anchors[2 * i + 1] = r * Math.sin(theta);
  }
  return { name: 'spiral', title: 'Spiral', anchors, std: 0.04, modes: null };
}

function moons(count = 1000): Dataset2d {
  // Two interleaving half circles (as scikit-learn's make_moons), centred and scaled by 1.5.
  const anchors = new Float32Array(count * 2);
  const half = count / 2;
  for (let i = 0; i < count; i++) {
    const t = (Math.PI * (i % half)) / (half - 1);
    const [x, y] = i < half ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    anchors[2 * i] = 1.5 * (x - 0.5);
    anchors[2 * i + 1] = 1.5 * (y - 0.25);
  }
  return { name: 'moons', title: 'Two moons', anchors, std: 0.05, modes: null };
}

export function dataset2d(name: Dataset2dName): Dataset2d {
  switch (name) {
    case 'ring8':
      return ring8();
    case 'grid25':
      return grid25();
    case 'spiral':
      return spiral();
    case 'moons':
      return moons();
  }
}

export function isDataset2dName(name: string): name is Dataset2dName {
  return (DATASET_2D_NAMES as readonly string[]).includes(name);
}

/**
 * The 2-D data set a run trains on: a named one, or the drawn points (flat x, y pairs). Every drawn
 * point is a mode for the coverage metric, as each centre of a mixture is: a drawing of a few dots
 * reads as a mixture, and for a stroke the count says how much of its length G reaches.
 */
export function dataset2dOf(data: string, points?: readonly number[]): Dataset2d | null {
  if (data === 'drawn') {
    if (!points || points.length < 2) return null;
    const anchors = Float32Array.from(points);
    return { name: 'drawn', title: 'Your drawing', anchors, std: DRAWN_STD, modes: anchors };
  }
  return isDataset2dName(data) ? dataset2d(data) : null;
}
