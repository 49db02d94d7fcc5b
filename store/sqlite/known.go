package sqlite

import "sync"

// knownSet remembers ids known to exist in a table, so batch ingestion
// need not look up the same items and users again and again. It only ever
// answers "known to exist": a miss means "look it up". Deletions through
// this DB evict ids and bump a generation; additions made by a transaction
// that overlapped a deletion are dropped, so a deleted id is never
// remembered. It holds at most maxKnown ids, forgetting all when full.
type knownSet struct {
	mu  sync.Mutex // guards the following fields
	ids map[string]struct{}
	gen uint64
}

const maxKnown = 1 << 20

func (k *knownSet) has(id string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.ids[id]
	return ok
}

// generation returns the current deletion generation.
func (k *knownSet) generation() uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.gen
}

// addAll remembers ids if no deletion happened since generation gen.
func (k *knownSet) addAll(ids []string, gen uint64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if gen != k.gen {
		return
	}
	if k.ids == nil || len(k.ids)+len(ids) > maxKnown {
		k.ids = make(map[string]struct{}, len(ids))
	}
	for _, id := range ids {
		k.ids[id] = struct{}{}
	}
}

// forget evicts id and starts a new generation.
func (k *knownSet) forget(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.ids, id)
	k.gen++
}
