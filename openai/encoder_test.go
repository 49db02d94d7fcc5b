package openai

import (
	"context"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// unit returns v scaled to unit length.
func unit(v []float32) []float32 {
	var ss float64
	for _, f := range v {
		ss += float64(f) * float64(f)
	}
	out := make([]float32, len(v))
	for i, f := range v {
		out[i] = float32(float64(f) / math.Sqrt(ss))
	}
	return out
}

func TestEncoderEncode(t *testing.T) {
	tests := []struct {
		name     string
		texts    []string
		wantSent [][]string // the inputs of each request
	}{
		{"none", nil, nil},
		{"all empty", []string{"", " ", "\n\t"}, nil},
		{"mixed", []string{"t3", "", "t7", "  ", "t0"}, [][]string{{"t3", "t7"}, {"t0"}}},
		{"batched", texts(5), [][]string{{"t0", "t1"}, {"t2", "t3"}, {"t4"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newEmbedServer(t, func(w http.ResponseWriter, _ *http.Request, _ int, input []string) {
				writeEmbeddings(w, input, true)
			})
			e := NewEncoder(newTestClient(t, s, func(c *Config) { c.BatchSize = 2 }), 3)
			got, err := e.Encode(context.Background(), tt.texts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.texts) {
				t.Fatalf("%d vectors, want %d", len(got), len(tt.texts))
			}
			for i, text := range tt.texts {
				want := make([]float32, 3)
				if strings.TrimSpace(text) != "" {
					want = unit(vectorFor(text))
				}
				if !reflect.DeepEqual(got[i], want) {
					t.Errorf("vector %d (%q) = %v, want %v", i, text, got[i], want)
				}
			}
			var sent [][]string
			for _, r := range s.recorded() {
				sent = append(sent, r.Input)
			}
			if !reflect.DeepEqual(sent, tt.wantSent) {
				t.Errorf("requests %v, want %v", sent, tt.wantSent)
			}
		})
	}
}

func TestEncoderDimension(t *testing.T) {
	s := newEmbedServer(t, nil)
	ctx := context.Background()

	probed, err := OpenEncoder(ctx, newTestClient(t, s, nil))
	if err != nil {
		t.Fatal(err)
	}
	if probed.Dim() != 3 || len(s.recorded()) != 1 || s.recorded()[0].Input[0] != probeText {
		t.Fatalf("OpenEncoder: Dim() = %d after requests %v; want 3 after one probe", probed.Dim(), s.recorded())
	}

	configured, err := OpenEncoder(ctx, newTestClient(t, s, func(c *Config) { c.Dimensions = 3 }))
	if err != nil {
		t.Fatal(err)
	}
	if configured.Dim() != 3 || len(s.recorded()) != 1 {
		t.Fatalf("OpenEncoder with Config.Dimensions: Dim() = %d, %d requests; want 3 and no probe", configured.Dim(), len(s.recorded()))
	}

	wrong := NewEncoder(newTestClient(t, s, nil), 4)
	if _, err := wrong.Encode(ctx, []string{"t1"}); err == nil || !strings.Contains(err.Error(), "got dimension 3, want 4") {
		t.Errorf("Encode with the wrong dimension: %v", err)
	}
	unknown := NewEncoder(newTestClient(t, s, nil), 0)
	if _, err := unknown.Encode(ctx, []string{"t1"}); err == nil || !strings.Contains(err.Error(), "dimension unknown") {
		t.Errorf("Encode with no dimension: %v", err)
	}
}

func TestEncoderServerError(t *testing.T) {
	s := newEmbedServer(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ []string) {
		http.Error(w, `{"error":{"message":"model not loaded","type":"invalid_request_error"}}`, http.StatusBadRequest)
	})
	e := NewEncoder(newTestClient(t, s, nil), 3)
	_, err := e.Encode(context.Background(), []string{"t1", ""})
	if err == nil || !strings.Contains(err.Error(), "model not loaded") {
		t.Fatalf("Encode against a failing server: %v, want the server's message", err)
	}
}
