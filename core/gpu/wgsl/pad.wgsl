// The padding's adjoint: the gradient with respect to a (h+2) × (w+2) padded input (dp, from
// conv.wgsl's backward mode) folded onto the h × w image it was built from. Every pixel takes its
// own padded position and each border position that copied it (reflect: the row or column one in
// from the edge; circular: the opposite edge; zero: none).

struct Params {
  h: u32,
  w: u32,
  c: u32,
  pad: u32, // 0 zero, 1 reflect, 2 circular
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> dp: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;

// copies lists the padded indices (0 … n+1) whose value is pixel s: its own s + 1, and the two
// border ones when they copy s. Unused entries are -1.
fn copies(s: i32, n: i32, pad: u32) -> vec3<i32> {
  var v = vec3<i32>(s + 1, -1, -1);
  if (source(-1, n, pad) == s) { v.y = 0; }
  if (source(n, n, pad) == s) { v.z = n + 1; }
  return v;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let idx = gid.x + gid.y * nw.x * 256u;
  if (idx >= P.h * P.w * P.c) { return; }
  let c = idx % P.c;
  let pix = idx / P.c;
  let i = pix / P.w;
  let j = pix - i * P.w;
  let rows = copies(i32(i), i32(P.h), P.pad);
  let cols = copies(i32(j), i32(P.w), P.pad);
  let wp = P.w + 2u;
  var s = 0.0;
  for (var a = 0u; a < 3u; a++) {
    if (rows[a] < 0) { continue; }
    for (var b = 0u; b < 3u; b++) {
      if (cols[b] < 0) { continue; }
      s += dp[(u32(rows[a]) * wp + u32(cols[b])) * P.c + c];
    }
  }
  dx[idx] = s;
}
