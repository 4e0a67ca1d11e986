//go:build !linux

package icmp

import "crypto/rand"

// fillRandom fills b from crypto/rand.
func fillRandom(b []byte) error {
	_, err := rand.Read(b)
	return err
}
