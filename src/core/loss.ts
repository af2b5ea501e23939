/**
 * The GAN losses, shared by the loss kernel's launcher, its float64 twin, the backends and the
 * configuration. 'standard': BCE with logits (non-saturating G); 'hinge'; 'wgan': the critic's
 * raw scores.
 */
export type GanLossKind = 'standard' | 'hinge' | 'wgan';
