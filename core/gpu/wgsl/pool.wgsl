// The 2×2, stride-2 max pool over an h × w × c map (an odd last row or column is dropped) and its
// adjoint, which routes each output's gradient to the first of its four inputs holding the
// maximum, as core/vgg does. The adjoint is a gather (each input finds whether it was its
// window's maximum), so it needs no atomics and writes every input, zeros included.

struct Params {
  h: u32, // input size
  w: u32,
  c: u32,
  pad: u32, // unused: the layout of every kernel's first four parameters
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;  // the pool's input
@group(0) @binding(2) var<storage, read> gy: array<f32>; // backward: the output gradient
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// first returns which of the four inputs of output (i, j), channel c, is the first maximum
// (0 top left, 1 top right, 2 bottom left, 3 bottom right) and that maximum.
fn first(i: u32, j: u32, c: u32) -> vec2<f32> {
  let p = ((2u * i) * P.w + 2u * j) * P.c + c;
  let q = p + P.w * P.c;
  var m = x[p];
  var at = 0.0;
  if (x[p + P.c] > m) { m = x[p + P.c]; at = 1.0; }
  if (x[q] > m) { m = x[q]; at = 2.0; }
  if (x[q + P.c] > m) { m = x[q + P.c]; at = 3.0; }
  return vec2<f32>(at, m);
}

fn index(gid: vec3<u32>, nw: vec3<u32>) -> u32 {
  return gid.x + gid.y * nw.x * 256u;
}

@compute @workgroup_size(256)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let idx = index(gid, nw);
  let w2 = P.w / 2u;
  if (idx >= (P.h / 2u) * w2 * P.c) { return; }
  let c = idx % P.c;
  let pix = idx / P.c;
  out[idx] = first(pix / w2, pix % w2, c).y;
}

@compute @workgroup_size(256)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let idx = index(gid, nw);
  if (idx >= P.h * P.w * P.c) { return; }
  let c = idx % P.c;
  let pix = idx / P.c;
  let r = pix / P.w;
  let s = pix - r * P.w;
  let h2 = P.h / 2u;
  let w2 = P.w / 2u;
  var g = 0.0;
  if (r < 2u * h2 && s < 2u * w2) {
    let i = r / 2u;
    let j = s / 2u;
    if (u32(first(i, j, c).x) == (r % 2u) * 2u + s % 2u) {
      g = gy[(i * w2 + j) * P.c + c];
    }
  }
  out[idx] = g;
}
