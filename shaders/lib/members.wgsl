// Batched dispatches (src/gpu/members.ts): workgroup_id.z is the member, and member_offset(slot, z)
// is that member's element offset into the range bound for the launcher's binding slot `slot`.
// A module that includes this declares, with its own binding number:
//   @group(0) @binding(N) var<uniform> members: Members;
// Offsets of vec4 views are member_offset(...) / 4u: members' tensors start on 256-byte boundaries.
const MEMBER_ROWS: u32 = 8u;   // MAX_MEMBERS: members per slot

struct Members {
  off: array<vec4<u32>, 16>,   // MEMBER_SLOTS × MAX_MEMBERS u32, slot-major
}

fn member_offset(slot: u32, member: u32) -> u32 {
  let i = slot * MEMBER_ROWS + member;
  return members.off[i / 4u][i % 4u];
}
