// A 3×3 convolution as an implicit matrix product, tiled in workgroup memory:
// y[p, n] = Σ_k A[p, k] · wt[k, n], p an output position (row-major on an oh × ow grid), k = t·cin + c
// for tap t = 3·dy + dx, A[p, k] = x at input position (row(p) + dy + base, col(p) + dx + base),
// channel c (HWC, channel fastest), read through the padding mode. A is never written out.
//
// Forward (mode 0): base -1, the layer's padding, then + bias and ReLU.
// Backward (mode 1): the gradient with respect to the padded input, a (h+2) × (w+2) grid: the
// masked output gradient (zero where the forward output was not positive, and outside its h × w
// grid: base -2, zero padding) correlated with the flipped, transposed kernel. pad.wgsl then
// folds the border back onto the pixels it copied. (source() comes from source.wgsl.)

struct Params {
  m: u32,     // output positions: oh · ow
  n: u32,     // output channels
  k: u32,     // 9 · cin
  cin: u32,   // input channels
  ow: u32,    // output grid width
  ih: u32,    // input grid
  iw: u32,
  base: i32,  // input row (and column) of tap (0, 0) relative to the output position
  pad: u32,   // 0 zero, 1 reflect, 2 circular
  mode: u32,  // 0 forward (+ bias, ReLU), 1 backward (input masked by mask > 0)
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> wt: array<f32>;   // k × n, row-major
@group(0) @binding(3) var<storage, read> bias: array<f32>; // n (forward)
@group(0) @binding(4) var<storage, read> mask: array<f32>; // x's layout (backward: the forward output)
@group(0) @binding(5) var<storage, read_write> y: array<f32>;

const BM = 64u; // positions per workgroup
const BN = 64u; // output channels per workgroup
const BK = 16u; // reduction slice held in workgroup memory
const TM = 4u;  // positions per thread
const TN = 4u;  // channels per thread (one vec4)

var<workgroup> As: array<array<f32, BM>, BK>;       // [k][position]
var<workgroup> Bs: array<array<vec4<f32>, 16>, BK>; // [k][channel / 4]

fn loadA(p: u32, k: u32) -> f32 {
  if (p >= P.m || k >= P.k) { return 0.0; }
  let t = k / P.cin;
  let c = k - t * P.cin;
  let oi = p / P.ow;
  let oj = p - oi * P.ow;
  let si = source(i32(oi) + i32(t / 3u) + P.base, i32(P.ih), P.pad);
  let sj = source(i32(oj) + i32(t % 3u) + P.base, i32(P.iw), P.pad);
  if (si < 0 || sj < 0) { return 0.0; }
  let at = (u32(si) * P.iw + u32(sj)) * P.cin + c;
  let v = x[at];
  if (P.mode == 1u && !(mask[at] > 0.0)) { return 0.0; }
  return v;
}

fn loadB(k: u32, n: u32) -> f32 {
  if (k >= P.k || n >= P.n) { return 0.0; }
  return wt[k * P.n + n];
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let m0 = wg.x * BM;
  let n0 = wg.y * BN;
  var acc: array<vec4<f32>, TM>;
  for (var k0 = 0u; k0 < P.k; k0 += BK) {
    // 256 threads load the 64 × 16 slice of A (four values each; consecutive threads take
    // consecutive k, i.e. consecutive channels of one position) and the 16 × 64 slice of B (one
    // vec4 each).
    for (var r = 0u; r < 4u; r++) {
      let i = li + 256u * r;
      let kk = i % BK;
      let mm = i / BK;
      As[kk][mm] = loadA(m0 + mm, k0 + kk);
    }
    {
      let kk = li / 16u;
      let nq = li % 16u;
      let n = n0 + nq * 4u;
      Bs[kk][nq] = vec4<f32>(loadB(k0 + kk, n), loadB(k0 + kk, n + 1u), loadB(k0 + kk, n + 2u), loadB(k0 + kk, n + 3u));
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let b = Bs[kk][lid.x];
      for (var i = 0u; i < TM; i++) {
        acc[i] += As[kk][lid.y * TM + i] * b;
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < TM; i++) {
    let p = m0 + lid.y * TM + i;
    if (p >= P.m) { continue; }
    for (var j = 0u; j < TN; j++) {
      let n = n0 + lid.x * TN + j;
      if (n >= P.n) { continue; }
      var v = acc[i][j];
      if (P.mode == 0u) { v = max(v + bias[n], 0.0); }
      y[p * P.n + n] = v;
    }
  }
}
