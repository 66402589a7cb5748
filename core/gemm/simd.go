package gemm

// productF32 is the platform's vector kernel for float32 products, installed by an init in a
// platform file (simd_amd64.go, simd_js.go) when the machine has what it needs; nil otherwise,
// and the portable Go kernel runs. It accumulates c[p, :] += a[p·lda : p·lda+K] · B_tap for p in
// [0, m), c's rows b.n apart, and reports false for a shape it does not take (the caller then
// runs the portable kernel).
var productF32 func(c []float32, m int, a []float32, lda int, b *Packed[float32], tap int) bool
