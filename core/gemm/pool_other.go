//go:build !js

package gemm

import "time"

// AwaitPool reports whether the page's worker pool has started (pool_js.go): there is none here.
func AwaitPool(time.Duration) bool { return true }
