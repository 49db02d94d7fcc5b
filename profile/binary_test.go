package profile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
)

// filled returns a Builder with every part of the state set: tags with
// support and purchase times, exclusions, items, prices and centres.
func filled(t testing.TB) *Builder {
	t.Helper()
	items, vecs := groups()
	for id, it := range catalog {
		items[id] = it
		vecs[id] = []float32{0.5, 0.5, 0, 0}
	}
	b := New(Config{}, items, vecs, nil)
	var events []aisle.Event
	for i := range 4 {
		at := t0.Add(time.Duration(i) * 30 * 24 * time.Hour)
		events = append(events,
			aisle.Event{ID: "p" + string(rune('0'+i)), Seq: int64(i + 1), User: "u", Item: "paper", Type: aisle.EventPurchase, Time: at},
			ev("u", "ink"+string(rune('0'+i)), aisle.EventClick, at),
			ev("u", "pen"+string(rune('0'+i)), aisle.EventView, at),
			ev("w", "tape", aisle.EventAddToCart, at))
	}
	events = append(events, aisle.Event{User: "w", Type: aisle.EventSearch, Query: "label tape", Time: t0})
	b.Observe(events)
	if err := b.Exclude("u", "brand:HP"); err != nil {
		t.Fatal(err)
	}
	if err := b.Exclude("x", "query:ink"); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMarshalRoundTrip(t *testing.T) {
	b := filled(t)
	data, err := b.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	items, vecs := groups()
	for id, it := range catalog {
		items[id] = it
		vecs[id] = []float32{0.5, 0.5, 0, 0}
	}
	got := New(Config{}, items, vecs, nil)
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"u", "w", "x"} {
		want, _ := b.Profile(u)
		have, ok := got.Profile(u)
		if !ok {
			t.Fatalf("no profile for %q after the round trip", u)
		}
		if d := cmp.Diff(have, want); d != "" {
			t.Errorf("profile %q -got +want\n%s", u, d)
		}
	}
	again, err := got.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, data) {
		t.Error("re-encoding the decoded state gives other bytes")
	}
	// The decoded state keeps working: a further event applies as it would
	// have before.
	next := []aisle.Event{ev("u", "pen0", aisle.EventPurchase, t0.Add(200*24*time.Hour))}
	b.Observe(next)
	got.Observe(next)
	want, _ := b.Profile("u")
	have, _ := got.Profile("u")
	if d := cmp.Diff(have, want); d != "" {
		t.Errorf("after a further event -got +want\n%s", d)
	}
}

func TestUnmarshalRejects(t *testing.T) {
	data, err := filled(t).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"empty":     nil,
		"truncated": data[:len(data)/2],
		"flipped":   append(append([]byte{}, data[:len(data)-1]...), data[len(data)-1]^1),
		"trailing":  append(append([]byte{}, data...), 0),
	} {
		b := filled(t)
		before, _ := b.Profile("u")
		err := b.UnmarshalBinary(bad)
		if !errors.Is(err, ErrFormat) {
			t.Errorf("%s: error %v, want ErrFormat", name, err)
		}
		after, _ := b.Profile("u")
		if d := cmp.Diff(after, before); d != "" {
			t.Errorf("%s: a failed UnmarshalBinary changed the state\n%s", name, d)
		}
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	data, err := filled(f).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	empty, _ := New(Config{}, nil, nil, nil).MarshalBinary()
	f.Add(empty)
	f.Fuzz(func(t *testing.T, data []byte) {
		// Give the data a good checksum, so mutations reach the decoder.
		if len(data) >= 4 {
			data = slices.Clone(data)
			binary.LittleEndian.PutUint32(data[len(data)-4:], format.Checksum.Sum(data[:len(data)-4]))
		}
		b := New(Config{}, catalog, nil, nil)
		if err := b.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		// What decodes can be used and encodes again.
		b.mu.RLock()
		var users []string
		for u := range b.shoppers {
			users = append(users, u)
		}
		b.mu.RUnlock()
		for _, u := range users {
			if v, ok := b.Profile(u); ok {
				_ = Summary(v, "zh")
			}
			b.Observe([]aisle.Event{ev(u, "pen", aisle.EventPurchase, t0)})
		}
		if _, err := b.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
	})
}
