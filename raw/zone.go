package raw

import "sync"

// zoneCache maps interface indexes (IPv6 scope ids) to names and back,
// as the socket's own network namespace knows them. Reads name the zone
// of every link-local source, so the answers are kept: a lookup is then
// a map access under a mutex, without allocation.
type zoneCache struct {
	mu      sync.Mutex
	byIndex map[uint32]string
	byName  map[string]uint32
}

func (z *zoneCache) name(idx uint32) (string, bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	s, ok := z.byIndex[idx]
	return s, ok
}

func (z *zoneCache) index(name string) (uint32, bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	i, ok := z.byName[name]
	return i, ok
}

func (z *zoneCache) add(idx uint32, name string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.byIndex == nil {
		z.byIndex, z.byName = map[uint32]string{}, map[string]uint32{}
	}
	z.byIndex[idx], z.byName[name] = name, idx
}
