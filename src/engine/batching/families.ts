/**
 * Where each variant's tensors live when variants are batched. Every variant of a run builds the
 * same model, so its tensors come in families: "D.l0.w" of sn, wn and none are one family, and so
 * are the weights each variant's D computes with (SN's W̄, WN's W̄, and for the unnormalized
 * variants the raw W itself), so that one dispatch can run D's forward for all of them. A family is
 * one GPU buffer holding its members at 256-byte boundaries; tensors shared by all variants (data,
 * noise) and a family too big for one binding stay in buffers of their own.
 */
import { VIEW_ALIGN_BYTES } from '../../gpu/binding';

/** A tensor as the layout sees it: its label, its floats (or u32 words) and the variant that made it. */
export interface MemberTensor {
  label: string;
  size: number;
  /** Index into the stacked variants' names. */
  variant: number;
}

/** A variant as the layout needs it: its name (its tensors' label prefix) and how its D computes. */
export interface StackedVariant {
  name: string;
  /**
   * Whether D computes with a W̄ of its own (SN, WN) rather than with the raw W (the others). W̄
   * and the raw W must then sit in different buffers: WebGPU forbids one dispatch to bind a buffer
   * both read-only and writable, which W̄ = W/σ̃ and ∂L/∂W from ∂L/∂W̄ would do.
   */
  ownNormalizedWeight: boolean;
}

/**
 * The family of a variant's tensor: its label without the variant's prefix, or null for a label
 * no variant made (a shared tensor). The weight each variant's D computes with is one family
 * ("D.layer0.wBar": SN's and WN's W̄, the raw W of the others), and so is where D's backward puts its
 * gradient ("D.layer0.gWbar"), so one dispatch runs D's forward or backward for every variant.
 */
export function familyOf(
  label: string,
  variants: readonly StackedVariant[],
): { variant: number; family: string } | null {
  const variant = variants.findIndex(({ name }) => label.startsWith(`${name}.`));
  if (variant < 0) return null;
  const role = label.slice(variants[variant].name.length + 1);
  const family = variants[variant].ownNormalizedWeight
    ? role.replace(/\.(?:sn|wn)\.(wBar|gWbar)$/, '.$1')
    : role.replace(/^(D\.[^.]+)\.w$/, '$1.wBar').replace(/^(D\.[^.]+)\.gW$/, '$1.gWbar');
  return { variant, family };
}

/** Bytes a member takes in its family buffer: whole 16-byte words, at least 16 (like a buffer of its own). */
export const memberBytes = (size: number): number => Math.max(16, Math.ceil((size * 4) / 16) * 16);

const align = (bytes: number): number => Math.ceil(bytes / VIEW_ALIGN_BYTES) * VIEW_ALIGN_BYTES;

export interface FamilyLayout {
  family: string;
  /** Bytes of the family's buffer. */
  bytes: number;
  /** The members in the order they sit in the buffer (by variant, then creation), with their byte offsets. */
  members: { tensor: number; offset: number }[];
}

/**
 * Lays out families: members by variant then creation order, each at a 256-byte boundary. Only
 * families of at least two members that fit `maxBytes` (the device's largest storage binding) get
 * a shared buffer; every other tensor is left to a buffer of its own (absent from the result).
 */
export function layoutFamilies(
  tensors: readonly MemberTensor[],
  families: readonly string[],
  maxBytes: number,
): FamilyLayout[] {
  const byFamily = new Map<string, number[]>();
  tensors.forEach((_, i) => {
    const list = byFamily.get(families[i]) ?? [];
    list.push(i);
    byFamily.set(families[i], list);
  });
  const layouts: FamilyLayout[] = [];
  for (const [family, indices] of byFamily) {
    if (indices.length < 2) continue;
    const ordered = [...indices].sort((a, b) => tensors[a].variant - tensors[b].variant || a - b);
    let bytes = 0;
    const members = ordered.map((tensor) => {
      const offset = align(bytes);
      bytes = offset + memberBytes(tensors[tensor].size);
      return { tensor, offset };
    });
    if (bytes > maxBytes) continue;
    layouts.push({ family, bytes, members });
  }
  return layouts;
}
