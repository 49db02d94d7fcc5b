package http

import (
	"context"
	"fmt"

	"github.com/aislehq/aisle"
)

// SyncItems tells the recommender's CatalogObserver (if it has one) what
// the store now holds for ids: the stored items, and ForgetItem for ids
// no longer stored. Calls are serialised and each reads the store under
// that serialisation, so however concurrent writes of one item interleave,
// the last call gives the observer the version the store kept. Every
// handler that changes items calls it after the change; so must anything
// else that writes items while the server runs (the photo reader).
func (s *Server) SyncItems(ctx context.Context, ids []string) error {
	_, err := s.syncItems(ctx, ids)
	return err
}

// syncItems is SyncItems, returning the stored items it read (also when
// there is no observer to tell), so that a handler replies with them
// without reading them again.
func (s *Server) syncItems(ctx context.Context, ids []string) (map[string]aisle.Item, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	// A sync must finish even if the request that asked for it ends: the
	// change it reports is already stored.
	ctx = context.WithoutCancel(ctx)
	stored, err := s.store.Items(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("sync items: %w", err)
	}
	co := s.catalogObserver()
	if co == nil {
		return stored, nil
	}
	items := make([]aisle.Item, 0, len(stored))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if it, ok := stored[id]; ok {
			items = append(items, it)
		} else {
			co.ForgetItem(id)
		}
	}
	if len(items) > 0 {
		co.ObserveItems(items)
	}
	return stored, nil
}
