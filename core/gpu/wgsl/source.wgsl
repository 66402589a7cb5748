// Prepended to conv.wgsl, conv_direct.wgsl and pad.wgsl (WGSL has no includes).

// source maps a row (or column) index one outside [0, n) to the one the padding copies, or -1
// for a zero; it mirrors core/vgg's padIndex.
fn source(i: i32, n: i32, pad: u32) -> i32 {
  if (i >= 0 && i < n) { return i; }
  if (pad == 1u) {
    if (n == 1) { return 0; }
    if (i < 0) { return -i; }
    return 2 * n - 2 - i;
  }
  if (pad == 2u) { return (i + n) % n; }
  return -1;
}
