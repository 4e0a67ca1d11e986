//go:build !linux

package spec

func processCPU() int64 { return 0 }
