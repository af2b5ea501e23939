import { describe, expect, it } from 'vitest';
import { familyOf, layoutFamilies } from '../../src/engine/batching/families';
import { planMerges } from '../../src/engine/batching/merge-plan';

const VARIANTS = [
  { name: 'sn', ownNormalizedWeight: true },
  { name: 'wn', ownNormalizedWeight: true },
  { name: 'none', ownNormalizedWeight: false },
];

describe('familyOf', () => {
  it('names a variant tensor by its role; D computes with the W̄ family, whichever variant', () => {
    expect(familyOf('sn.D.l0.w', VARIANTS)).toEqual({ variant: 0, family: 'D.l0.w' });
    expect(familyOf('sn.D.l0.sn.wBar', VARIANTS)).toEqual({ variant: 0, family: 'D.l0.wBar' });
    expect(familyOf('wn.D.l0.wn.gWbar', VARIANTS)).toEqual({ variant: 1, family: 'D.l0.gWbar' });
    expect(familyOf('none.D.l0.w', VARIANTS)).toEqual({ variant: 2, family: 'D.l0.wBar' });
    expect(familyOf('none.D.l0.gW', VARIANTS)).toEqual({ variant: 2, family: 'D.l0.gWbar' });
    expect(familyOf('none.G.l0.w', VARIANTS)).toEqual({ variant: 2, family: 'G.l0.w' });
    expect(familyOf('none.D.real.l1.out', VARIANTS)).toEqual({ variant: 2, family: 'D.real.l1.out' });
    expect(familyOf('sn.D.l0.sn.u', VARIANTS)).toEqual({ variant: 0, family: 'D.l0.sn.u' });
  });
  it('leaves shared tensors (and prefixes that only look alike) alone', () => {
    expect(familyOf('noise.z', VARIANTS)).toBeNull();
    expect(familyOf('snake.D.w', VARIANTS)).toBeNull();
  });
});

describe('layoutFamilies', () => {
  const tensors = [
    { label: 'sn.a', size: 7, variant: 0 },
    { label: 'wn.a', size: 7, variant: 1 },
    { label: 'sn.b', size: 1, variant: 0 },
    { label: 'none.a', size: 7, variant: 2 },
    { label: 'sn.c', size: 300, variant: 0 },
    { label: 'wn.c', size: 300, variant: 1 },
  ];
  const families = ['a', 'a', 'b', 'a', 'c', 'c'];
  it('puts members at 256-byte boundaries, by variant, and leaves single tensors out', () => {
    const layout = layoutFamilies(tensors, families, 1 << 20);
    expect(layout.map((f) => f.family)).toEqual(['a', 'c']);
    expect(layout[0].members).toEqual([
      { tensor: 0, offset: 0 },
      { tensor: 1, offset: 256 },
      { tensor: 3, offset: 512 },
    ]);
    expect(layout[0].bytes).toBe(512 + 32);
    expect(layout[1].members).toEqual([
      { tensor: 4, offset: 0 },
      { tensor: 5, offset: 1280 },
    ]);
  });
  it('leaves a family that does not fit one binding to buffers of their own', () => {
    expect(layoutFamilies(tensors, families, 1200).map((f) => f.family)).toEqual(['a']);
  });
});

describe('planMerges', () => {
  const flat = (plan: ReturnType<typeof planMerges>) =>
    plan.map((g) => g.map((o) => `${o.program}:${o.index}`).join(','));

  it('merges the common ops and runs each normalization alone where it stands', () => {
    const sn = ['G', 'snPower', 'Dfwd', 'loss', 'Dbwd', 'snBwd', 'adam'];
    const wn = ['G', 'wnFwd', 'Dfwd', 'loss', 'Dbwd', 'wnBwd', 'adam'];
    const none = ['G', 'Dfwd', 'loss', 'Dbwd', 'adam'];
    const plan = planMerges([sn, wn, none]);
    expect(plan.length).toBe(5 + 4);
    expect(flat(plan)).toEqual([
      '0:0,1:0,2:0',
      '0:1',
      '1:1',
      '0:2,1:2,2:1',
      '0:3,1:3,2:2',
      '0:4,1:4,2:3',
      '0:5',
      '1:5',
      '0:6,1:6,2:4',
    ]);
  });
  it('keeps every program in its own order and runs every op exactly once', () => {
    const programs = [
      ['a', 'b', 'c', 'x', 'd'],
      ['b', 'a', 'c', 'd'],
      ['a', 'c', 'y', 'y', 'd'],
    ];
    const plan = planMerges(programs);
    const seen = programs.map(() => [] as number[]);
    for (const group of plan) {
      const sigs = new Set(group.map((o) => programs[o.program][o.index]));
      expect(sigs.size).toBe(1);
      expect(new Set(group.map((o) => o.program)).size).toBe(group.length);
      for (const o of group) seen[o.program].push(o.index);
    }
    seen.forEach((order, p) => expect(order).toEqual(programs[p].map((_, i) => i)));
  });
  it('is the plain concatenation for one program', () => {
    expect(planMerges([['a', 'a', 'b']]).map((g) => g.length)).toEqual([1, 1, 1]);
  });
});
