//go:build !linux

package endpoint

func raiseNoFile(int) {}
