//go:build !linux

package raw

// ListenIPv6 is not implemented on this platform.
func ListenIPv6(protocol int, cfg *Config) (*Conn, error) {
	if err := cfg.validate6(protocol, false); err != nil {
		return nil, err
	}
	return nil, ErrNotImplemented
}

// ListenPing6 is not implemented on this platform.
func ListenPing6(cfg *Config) (*Conn, error) {
	if err := cfg.validate6(protocolICMPv6, true); err != nil {
		return nil, err
	}
	return nil, ErrNotImplemented
}

// SetChecksumOffset is not implemented on this platform.
func (c *Conn) SetChecksumOffset(offset int) error { return ErrNotImplemented }
