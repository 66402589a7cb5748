// conv.wgsl's convolution (the same parameters, bindings and modes) without workgroup tiles: each
// invocation computes one output position's four channels straight from memory. On a CPU
// implementation of WebGPU (SwiftShader) this runs several times faster than the tiled kernel and
// compiles in a fraction of the time: there, a workgroup barrier switches between the
// invocations' fibres and the caches already give the reuse the tiles are for. Real GPUs get the
// tiled kernel. (source() comes from source.wgsl.)

struct Params {
  m: u32,
  n: u32,
  k: u32,
  cin: u32,
  ow: u32,
  ih: u32,
  iw: u32,
  base: i32,
  pad: u32,
  mode: u32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> wt: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let p = gid.x;
  let n0 = gid.y * 4u;
  if (p >= P.m) { return; }
  let oi = p / P.ow;
  let oj = p - oi * P.ow;
  var acc = vec4<f32>(0.0);
  for (var t = 0u; t < 9u; t++) {
    let si = source(i32(oi) + i32(t / 3u) + P.base, i32(P.ih), P.pad);
    let sj = source(i32(oj) + i32(t % 3u) + P.base, i32(P.iw), P.pad);
    if (si < 0 || sj < 0) { continue; }
    let at = (u32(si) * P.iw + u32(sj)) * P.cin;
    var kr = t * P.cin * P.n + n0;
    for (var c = 0u; c < P.cin; c++) {
      var v = x[at + c];
      if (P.mode == 1u && !(mask[at + c] > 0.0)) { v = 0.0; }
      // Past the last channel these read the next row (or are clamped at the end): unused.
      acc += v * vec4<f32>(wt[kr], wt[kr + 1u], wt[kr + 2u], wt[kr + 3u]);
      kr += P.n;
    }
  }
  for (var j = 0u; j < 4u; j++) {
    let n = n0 + j;
    if (n >= P.n) { break; }
    var v = acc[j];
    if (P.mode == 0u) { v = max(v + bias[n], 0.0); }
    y[p * P.n + n] = v;
  }
}
