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
	co := s.catalogObserver()
	if co == nil || len(ids) == 0 {
		return nil
	}
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	// A sync must finish even if the request that asked for it ends: the
	// change it reports is already stored.
	ctx = context.WithoutCancel(ctx)
	stored, err := s.store.Items(ctx, ids)
	if err != nil {
		return fmt.Errorf("sync items: %w", err)
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
	return nil
}
