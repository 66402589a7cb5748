package gemm

import (
	"unsafe"

	"github.com/texsynth/texsynth/core/feature"
)

// The network's ReLU and its derivative's mask, element-wise passes over whole maps that the
// fast engine runs after every forward conv and before every backward one. Written as Go loops
// they branch on each value's sign, a coin toss for a conv's outputs, so they mispredict about
// every other value; the vector kernels (reluNow, maskNow) compare and mask eight at a time.

// reluNow and maskNow, when set (simd_amd64.go), run ReLU and Mask on the first n float32s,
// n a positive multiple of 16.
var (
	reluNow func(y unsafe.Pointer, n int)
	maskNow func(g, y unsafe.Pointer, n int)
)

// ReLU sets y[i] to 0 where y[i] < 0, in place; NaN and −0 stay as they are.
func ReLU[T feature.Float](y []T) {
	if n := len(y) &^ 15; reluNow != nil && unsafe.Sizeof(T(0)) == 4 && n > 0 {
		reluNow(unsafe.Pointer(&y[0]), n)
		y = y[n:]
	}
	for i, v := range y {
		if v < 0 {
			y[i] = 0
		}
	}
}

// Mask zeroes g[i] where y[i] is not positive (the ReLU's derivative at its output y), in place;
// y holds at least len(g) values.
func Mask[T feature.Float](g, y []T) {
	y = y[:len(g)]
	if n := len(g) &^ 15; maskNow != nil && unsafe.Sizeof(T(0)) == 4 && n > 0 {
		maskNow(unsafe.Pointer(&g[0]), unsafe.Pointer(&y[0]), n)
		g, y = g[n:], y[n:]
	}
	for i := range g {
		if !(y[i] > 0) {
			g[i] = 0
		}
	}
}
