//go:build !linux

package main

// coalesceWakeups does nothing outside Linux.
func coalesceWakeups() {}
