// Workgroup tree reduction, the one copy every reducing kernel family shares. A kernel module
// splices it in with the line `#include "lib/workgroup_reduce.wgsl"` (src/gpu/shader-source.ts does
// the splicing, in Vite and in Node alike) and declares, next to its own override constants:
//   alias ReduceValue = f32;                                  (or vec2<f32>, vec4<f32>: summed by component)
//   var<workgroup> reduce_scratch: array<ReduceValue, N>;     N ≥ the threads of any entry point calling it
// so the workgroup size stays an `override` of the including module.
//
// workgroup_reduce(li, lane, lanes, stride, value): the threads form groups of `lanes` threads (a power
// of two); thread li (its local_invocation_index) is lane `lane` of its group, whose lane k holds
// scratch index base + k·stride (base = li − lane·stride). Every thread gets its group's sum, added in a
// fixed tree order that depends only on `lanes` (deterministic, no atomics). Call it from uniform control
// flow with uniform `lanes` and `stride`. The trailing barrier lets the caller reduce again straight away.
//   one group of WG threads:                          workgroup_reduce(li, li, WG, 1u, v)
//   K row lanes per column, li = lid.y·J + lid.x:     workgroup_reduce(li, lid.y, K, J, v)
//   K column lanes per row, li = lid.y·K + lid.x:     workgroup_reduce(li, lid.x, K, 1u, v)
fn workgroup_reduce(li: u32, lane: u32, lanes: u32, stride: u32, value: ReduceValue) -> ReduceValue {
  reduce_scratch[li] = value;
  workgroupBarrier();
  for (var s = lanes / 2u; s > 0u; s = s / 2u) {
    if (lane < s) {
      reduce_scratch[li] = reduce_scratch[li] + reduce_scratch[li + s * stride];
    }
    workgroupBarrier();
  }
  let total = reduce_scratch[li - lane * stride];
  workgroupBarrier(); // every thread has read its total before anyone writes the scratch again
  return total;
}
