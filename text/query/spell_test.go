package query

import "testing"

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"staplr", "stapler", 2, 1},
		{"cordles", "cordless", 2, 1},
		{"teh", "the", 2, 1}, // a transposition is one edit
		{"pen", "pen", 2, 0},
		{"abc", "xyz", 2, 3}, // over the limit: limit+1
		{"", "ab", 2, 2},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}

func TestSpeller(t *testing.T) {
	vocab := map[string]int{"stapler": 78, "staple": 45, "staples": 84, "cordless": 216, "phone": 378, "envelope": 40, "rare": 1}
	s := newSpeller(vocab, 2, func(w string) bool { _, ok := vocab[w]; return ok })
	tests := []struct {
		word, want string
		ok         bool
	}{
		{"staplr", "stapler", true},    // one edit: stapler is commoner than staple
		{"cordles", "cordless", true},  // a missing letter
		{"envelpoe", "envelope", true}, // a transposition
		{"evnelpoe", "envelope", true}, // two edits, eight letters
		{"stapler", "", false},         // known words stay
		{"phne", "phone", true},
		{"rar", "", false},    // too short
		{"raer", "", false},   // "rare" is seen once: no correction target
		{"cs6114", "", false}, // model numbers stay
		{"blorft", "", false}, // nothing within one edit
	}
	for _, tt := range tests {
		got, ok := s.correct(tt.word)
		if got != tt.want || ok != tt.ok {
			t.Errorf("correct(%q) = %q, %v; want %q, %v", tt.word, got, ok, tt.want, tt.ok)
		}
	}
}
