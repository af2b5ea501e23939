/**
 * Which ops of the variants' programs run as one dispatch. Each live variant contributes its
 * program (the op list of one D update, say); the programs are the same model's ops except where
 * the normalizations differ (SN's power iteration, WN's row norms, nothing for the others). An op
 * is described by its signature: what it computes and on which families of tensors (see
 * families.ts). The plan walks the programs in step and groups ops of equal signature, keeping
 * every program's own order; ops no other program has run alone, where they stand.
 *
 * Reordering across programs is safe because variants share only inputs they all read (the data
 * and noise drawn before the programs run): no op of one variant reads what another writes.
 */

/** An op of the plan: program p's op i. */
export interface PlannedOp {
  program: number;
  index: number;
}

/** Groups of ops in run order; a group's ops have equal signatures and at most one op per program. */
export function planMerges(signatures: readonly (readonly string[])[]): PlannedOp[][] {
  const next = signatures.map(() => 0);
  const plan: PlannedOp[][] = [];
  const remaining = (p: number): boolean => next[p] < signatures[p].length;
  const head = (p: number): string => signatures[p][next[p]];
  const laterIn = (q: number, signature: string): boolean => signatures[q].indexOf(signature, next[q]) >= 0;
  const live = (): number[] => signatures.map((_, p) => p).filter(remaining);

  for (let programs = live(); programs.length > 0; programs = live()) {
    // 1. Ops that no other program will run: nothing to wait for, they run alone now.
    const alone = programs.filter((p) => programs.every((q) => q === p || !laterIn(q, head(p))));
    if (alone.length > 0) {
      for (const p of alone) plan.push([{ program: p, index: next[p]++ }]);
      continue;
    }
    // 2. A signature every program that still has it holds at its head: run them all as one.
    //    Among several, the one most programs share first.
    let best: number[] = [];
    for (const p of programs) {
      const signature = head(p);
      const holders = programs.filter((q) => laterIn(q, signature));
      const ready = holders.every((q) => head(q) === signature);
      if (ready && holders.length > best.length) best = holders;
    }
    // 3. Otherwise (programs disagree on the order) the first program's head goes with whoever
    //    holds the same op at its head now, so the plan always moves on.
    if (best.length === 0) best = programs.filter((q) => head(q) === head(programs[0]));
    plan.push(best.map((p) => ({ program: p, index: next[p]++ })));
  }
  return plan;
}
