/**
 * Launchers for shaders/loss.wgsl: GAN losses on discriminator logits, their gradients with
 * respect to every logit (the 1/N of the means included), and a statistics record written on the
 * GPU so a trainer can copy it out and read it asynchronously, steps later.
 * Both can be batched (src/gpu/members.ts): one workgroup per member, grid z = member.
 */
import lossCode from '../../../shaders/loss.wgsl?raw';
import type { GanLossKind } from '../../core/loss';
import type { GpuBinding } from '../binding';
import { packUniform } from '../buffers';
import type { GpuContext } from '../device';
import { dispatchKernel, type Kernel } from '../kernel';
import { checkBindingUsage, checkMemberFit, checkMemberOutput } from '../member-fit';
import { memberCount, packMemberTable, type MemberBatch } from '../members';
import { kernelShader } from '../shader-source';

export const LOSS_SHADER = kernelShader('loss', lossCode, [
  'params',
  'real',
  'fake',
  'd_real',
  'd_fake',
  'stats',
  'members',
]);
const SHADER = LOSS_SHADER;
type LossBinding = Exclude<keyof typeof SHADER.slots, 'params' | 'members'>;

/**
 * Member slots of both entry points (REAL_SLOT … STATS_SLOT in loss.wgsl), by argument name: one
 * numbering, so the generator's 'fake', 'dFake' and 'stats' sit where the discriminator's do.
 */
const LOSS_MEMBER_SLOTS = ['real', 'fake', 'dReal', 'dFake', 'stats'] as const;
type LossArgName = (typeof LOSS_MEMBER_SLOTS)[number];
const BINDING_OF: Record<LossArgName, LossBinding> = {
  real: 'real',
  fake: 'fake',
  dReal: 'd_real',
  dFake: 'd_fake',
  stats: 'stats',
};

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
  real: GpuBinding;
  nReal: number;
  fake: GpuBinding;
  nFake: number;
  /** Outputs: d loss / d logit, nReal and nFake floats (overwritten). */
  dReal: GpuBinding;
  dFake: GpuBinding;
  /** Output: LOSS_STATS.length floats at statsOffset (default 0; a member's at its offset + statsOffset). */
  stats: GpuBinding;
  statsOffset?: number;
  label?: string;
}

export interface GeneratorLossArgs {
  kind: GanLossKind;
  /** Logits D gave the generator's batch (nFake floats). */
  fake: GpuBinding;
  nFake: number;
  /** Output: d loss / d logit, nFake floats (overwritten). */
  dFake: GpuBinding;
  stats: GpuBinding;
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
  entryPoint: 'discriminator' | 'discriminator_joint' | 'generator',
  kind: GanLossKind,
  counts: { nReal: number; nFake: number; statsOffset: number },
  args: Partial<Record<LossArgName, GpuBinding>>,
  batch?: MemberBatch,
): Kernel {
  checkCount(label, 'nFake', counts.nFake);
  if (entryPoint !== 'generator') checkCount(label, 'nReal', counts.nReal);
  const joint = entryPoint === 'discriminator_joint';
  if (!Number.isInteger(counts.statsOffset) || counts.statsOffset < 0) {
    throw new Error(`${label}: statsOffset must be a non-negative integer, got ${counts.statsOffset}`);
  }
  const given = LOSS_MEMBER_SLOTS.filter((name) => args[name] !== undefined);
  for (const name of Object.keys(batch?.offsets ?? {})) {
    if (!(given as string[]).includes(name)) {
      throw new Error(`${label}: no member slot "${name}" (slots: ${given.join(', ')})`);
    }
  }
  const table = packMemberTable(label, LOSS_MEMBER_SLOTS, batch);
  // Elements each argument's member reaches.
  const reach: Record<LossArgName, number> = {
    real: counts.nReal + (joint ? counts.nFake : 0),
    fake: counts.nFake,
    dReal: counts.nReal + (joint ? counts.nFake : 0),
    dFake: counts.nFake,
    stats: counts.statsOffset + LOSS_STATS.length,
  };
  const written = (name: LossArgName) => name !== 'real' && name !== 'fake';
  checkBindingUsage(
    label,
    given.map((name) => ({ name, binding: args[name], written: written(name) })),
  );
  for (const name of given) {
    (written(name) ? checkMemberOutput : checkMemberFit)(label, name, args[name]!, reach[name], batch);
  }
  const bindings = Object.fromEntries(given.map((name) => [BINDING_OF[name], args[name]!]));
  const members = ctx.buffers.uniform(`${label}.members`, table.buffer as ArrayBuffer);
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
  return dispatchKernel(ctx, {
    label,
    pipeline,
    bindings: SHADER.bind({ params, members, ...bindings }),
    workgroups: [1, 1, memberCount(batch)],
  });
}

/**
 * D's loss: gradients for both batches and [loss, mean D(x), mean D(G(z))] in stats. Member slots
 * 'real', 'fake', 'dReal', 'dFake', 'stats'.
 */
export function prepareDiscriminatorLoss(ctx: GpuContext, a: DiscriminatorLossArgs, batch?: MemberBatch): Kernel {
  const label = a.label ?? `loss.${a.kind}.discriminator`;
  return prepareLoss(
    ctx,
    label,
    'discriminator',
    a.kind,
    { nReal: a.nReal, nFake: a.nFake, statsOffset: a.statsOffset ?? 0 },
    { real: a.real, fake: a.fake, dReal: a.dReal, dFake: a.dFake, stats: a.stats },
    batch,
  );
}

/** D's loss on a joint batch (shaders/loss.wgsl's discriminator_joint). */
export interface JointDiscriminatorLossArgs {
  kind: GanLossKind;
  /** The real batch's nReal logits, then the fake batch's nFake. */
  logits: GpuBinding;
  nReal: number;
  nFake: number;
  /** Output: d loss / d logit in the same places (overwritten). */
  grads: GpuBinding;
  stats: GpuBinding;
  statsOffset?: number;
  label?: string;
}

/**
 * D's loss when the real and fake logits are one array (and their gradients another): the same
 * values as prepareDiscriminatorLoss on the halves. Member slots 'real' (the logits), 'dReal' (the
 * gradients), 'stats'.
 */
export function prepareJointDiscriminatorLoss(
  ctx: GpuContext,
  a: JointDiscriminatorLossArgs,
  batch?: MemberBatch,
): Kernel {
  const label = a.label ?? `loss.${a.kind}.discriminatorJoint`;
  return prepareLoss(
    ctx,
    label,
    'discriminator_joint',
    a.kind,
    { nReal: a.nReal, nFake: a.nFake, statsOffset: a.statsOffset ?? 0 },
    { real: a.logits, dReal: a.grads, stats: a.stats },
    batch,
  );
}

/**
 * G's loss (non-saturating for 'standard', −mean l_fake otherwise): gradient and [loss, 0, mean
 * D(G(z))]. Member slots 'fake', 'dFake', 'stats'.
 */
export function prepareGeneratorLoss(ctx: GpuContext, a: GeneratorLossArgs, batch?: MemberBatch): Kernel {
  const label = a.label ?? `loss.${a.kind}.generator`;
  return prepareLoss(
    ctx,
    label,
    'generator',
    a.kind,
    { nReal: 0, nFake: a.nFake, statsOffset: a.statsOffset ?? 0 },
    { fake: a.fake, dFake: a.dFake, stats: a.stats },
    batch,
  );
}
