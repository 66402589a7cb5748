//go:build !js

package main

// poolTimes: natively there is no worker pool (the products split over goroutines).
func poolTimes() poolStat { return poolStat{} }
