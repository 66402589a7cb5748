package gemm

// productF32 is the platform's vector kernel for float32 products, installed by an init in a
// platform file (simd_amd64.go, simd_js.go) when the machine has what it needs; nil otherwise,
// and the portable Go kernel runs. It accumulates c[p, :] += a[p·lda : p·lda+K] · B_tap for p in
// [0, m), c's rows b.N apart, and reports false for a shape it does not take (the caller then
// runs the portable kernel).
var productF32 func(c []float32, m int, a []float32, lda int, b *Packed[float32], tap int) bool

// kernel names the vector kernels in use, set with them; Kernel reports it.
var kernel = "portable Go (no vector kernel for this platform)"

// Kernel says which kernels the products and the transform steps run on: "AVX2+FMA",
// "wasm SIMD128", or why they run the portable Go code. TEXSYNTH_SIMD=off in the environment
// keeps the portable code everywhere.
func Kernel() string { return kernel }

// pooled is the number of threads the vector kernel splits a product over by itself (the wasm
// worker pool, pool_js.go); 1 where products run on the calling thread only.
var pooled = 1

// Pooled reports how many threads share each large product inside the vector kernel: more than
// one in a cross-origin isolated page, with the worker pool (wasm/pool.js); 1 elsewhere. Callers
// then hand it larger products (Shifted and Serial do so already).
func Pooled() int { return pooled }
