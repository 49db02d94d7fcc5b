package vector

// Vector returns a copy of id's vector, or false when id is not live.
func (h *HNSW) Vector(id int32) ([]float32, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	s, ok := h.slot[id]
	if !ok {
		return nil, false
	}
	return append([]float32(nil), h.vecs[int(s)*h.dim:(int(s)+1)*h.dim]...), true
}

// Vector returns a copy of id's vector, or false when id is not live.
func (a *Auto) Vector(id int32) ([]float32, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.graph != nil {
		return a.graph.Vector(id)
	}
	return a.flat.Vector(id)
}
