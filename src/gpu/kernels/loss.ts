/**
 * Launchers for shaders/loss.wgsl: GAN losses on discriminator logits, their gradients with
 * respect to every logit (the 1/N of the means included), and a statistics record written on the
 * GPU so a trainer can copy it out and read it asynchronously, steps later.
 */
import lossCode from '../../../shaders/loss.wgsl?raw';
import type { GanLossKind } from '../../core/loss';
import { packUniform } from '../buffers';
import type { GpuContext } from '../device';
import { dispatchKernel, type Kernel } from '../kernel';
import { kernelShader } from '../shader-source';

export const LOSS_SHADER = kernelShader('loss', lossCode, ['params', 'real', 'fake', 'd_real', 'd_fake', 'stats']);
const SHADER = LOSS_SHADER;
type LossBinding = keyof typeof SHADER.slots;

export const GAN_LOSS_CODE: Record<GanLossKind, number> = { standard: 0, hinge: 1, wgan: 2 };

/**
 * Layout of the statistics record (floats from `statsOffset`). meanDReal / meanDFake are mean
 * σ(logit) for 'standard' and the mean raw logit for 'hinge' and 'wgan'; the generator loss has
 * no real batch and writes 0 to meanDReal.
 */
export const LOSS_STATS = { loss: 0, meanDReal: 1, meanDFake: 2, length: 3 } as const;

export interface DiscriminatorLossArgs {
  kind: GanLossKind;
  /** Logits of the real batch (nReal floats) and of the fake batch (nFake floats). */
  real: GPUBuffer;
  nReal: number;
  fake: GPUBuffer;
  nFake: number;
  /** Outputs: d loss / d logit, nReal and nFake floats (overwritten). */
  dReal: GPUBuffer;
  dFake: GPUBuffer;
  /** Output: LOSS_STATS.length floats at statsOffset (default 0). */
  stats: GPUBuffer;
  statsOffset?: number;
  label?: string;
}

export interface GeneratorLossArgs {
  kind: GanLossKind;
  /** Logits D gave the generator's batch (nFake floats). */
  fake: GPUBuffer;
  nFake: number;
  /** Output: d loss / d logit, nFake floats (overwritten). */
  dFake: GPUBuffer;
  stats: GPUBuffer;
  statsOffset?: number;
  label?: string;
}

function checkCount(label: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${label}: ${name} must be a positive integer, got ${value}`);
}

function prepareLoss(
  ctx: GpuContext,
  label: string,
  entryPoint: 'discriminator' | 'generator',
  kind: GanLossKind,
  counts: { nReal: number; nFake: number; statsOffset: number },
  bindings: Partial<Record<LossBinding, GPUBuffer>>,
): Kernel {
  checkCount(label, 'nFake', counts.nFake);
  if (entryPoint === 'discriminator') checkCount(label, 'nReal', counts.nReal);
  if (!Number.isInteger(counts.statsOffset) || counts.statsOffset < 0) {
    throw new Error(`${label}: statsOffset must be a non-negative integer`);
  }
  const params = ctx.buffers.uniform(
    `${label}.params`,
    packUniform([{ u32: counts.nReal }, { u32: counts.nFake }, { u32: counts.statsOffset }]),
  );
  const pipeline = ctx.pipelines.compute({
    family: SHADER.family,
    code: SHADER.code,
    entryPoint,
    // One workgroup with a tree reduction: the profile's reductionWorkgroup (a power of two).
    constants: { MODE: GAN_LOSS_CODE[kind], WORKGROUP_SIZE: ctx.tuning.reductionWorkgroup },
  });
  return dispatchKernel(ctx, { label, pipeline, bindings: SHADER.bind({ params, ...bindings }), workgroups: [1] });
}

/** D's loss: gradients for both batches and [loss, mean D(x), mean D(G(z))] in stats. */
export function prepareDiscriminatorLoss(ctx: GpuContext, a: DiscriminatorLossArgs): Kernel {
  const label = a.label ?? `loss.${a.kind}.discriminator`;
  if (a.dReal === a.dFake) throw new Error(`${label}: dReal and dFake must be different buffers`);
  return prepareLoss(
    ctx,
    label,
    'discriminator',
    a.kind,
    { nReal: a.nReal, nFake: a.nFake, statsOffset: a.statsOffset ?? 0 },
    { real: a.real, fake: a.fake, d_real: a.dReal, d_fake: a.dFake, stats: a.stats },
  );
}

/** G's loss (non-saturating for 'standard', −mean l_fake otherwise): gradient and [loss, 0, mean D(G(z))]. */
export function prepareGeneratorLoss(ctx: GpuContext, a: GeneratorLossArgs): Kernel {
  const label = a.label ?? `loss.${a.kind}.generator`;
  return prepareLoss(
    ctx,
    label,
    'generator',
    a.kind,
    { nReal: 0, nFake: a.nFake, statsOffset: a.statsOffset ?? 0 },
    { fake: a.fake, d_fake: a.dFake, stats: a.stats },
  );
}
