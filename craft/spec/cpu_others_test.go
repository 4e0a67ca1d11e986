//go:build !linux

package craft

func processCPU() int64 { return 0 }
