package openai

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestEmbedBatching(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		batchSize int
		wantSizes []int
	}{
		{"150 in batches of 64", 150, 64, []int{64, 64, 22}},
		{"exact multiple", 128, 64, []int{64, 64}},
		{"single small batch", 5, 0, []int{5}},
		{"batch size one", 3, 1, []int{1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newEmbedServer(t, func(w http.ResponseWriter, _ *http.Request, _ int, input []string) {
				writeEmbeddings(w, input, true) // out of index order
			})
			c := newTestClient(t, s, func(c *Config) { c.BatchSize = tt.batchSize })
			in := texts(tt.n)
			got, err := c.Embed(context.Background(), in)
			if err != nil {
				t.Fatalf("Embed: %v", err)
			}
			if len(got) != tt.n {
				t.Fatalf("got %d vectors, want %d", len(got), tt.n)
			}
			for i, v := range got {
				if !reflect.DeepEqual(v, vectorFor(in[i])) {
					t.Fatalf("vector %d = %v, want %v", i, v, vectorFor(in[i]))
				}
			}
			reqs := s.recorded()
			if len(reqs) != len(tt.wantSizes) {
				t.Fatalf("%d requests, want %d", len(reqs), len(tt.wantSizes))
			}
			next := 0
			for i, r := range reqs {
				want := in[next : next+tt.wantSizes[i]]
				if !reflect.DeepEqual(r.Input, want) {
					t.Fatalf("request %d input = %v, want %v", i, r.Input, want)
				}
				next += tt.wantSizes[i]
			}
		})
	}
}

func TestEmbedRequestFormat(t *testing.T) {
	tests := []struct {
		name       string
		apiKey     string
		dimensions int
		wantAuth   string
	}{
		{"no key, no dimensions", "", 0, ""},
		{"key and dimensions", "sk-test", 3, "Bearer sk-test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newEmbedServer(t, nil)
			c := newTestClient(t, s, func(c *Config) { c.APIKey = tt.apiKey; c.Dimensions = tt.dimensions })
			if _, err := c.Embed(context.Background(), texts(2)); err != nil {
				t.Fatalf("Embed: %v", err)
			}
			r := s.recorded()[0]
			if got := r.Header.Get("Authorization"); got != tt.wantAuth {
				t.Errorf("Authorization = %q, want %q", got, tt.wantAuth)
			}
			if got := r.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q", got)
			}
			if r.Body["model"] != "test-model" || r.Body["encoding_format"] != "float" {
				t.Errorf("body = %v, want model and encoding_format float", r.Body)
			}
			dims, ok := r.Body["dimensions"]
			switch {
			case tt.dimensions == 0 && ok:
				t.Errorf("dimensions sent when unset: %v", dims)
			case tt.dimensions > 0 && dims != float64(tt.dimensions):
				t.Errorf("dimensions = %v, want %d", dims, tt.dimensions)
			}
		})
	}
}

func TestEmbedInputChecks(t *testing.T) {
	s := newEmbedServer(t, nil)
	c := newTestClient(t, s, nil)
	got, err := c.Embed(context.Background(), nil)
	if got != nil || err != nil {
		t.Fatalf("Embed(nil) = %v, %v; want nil, nil", got, err)
	}
	_, err = c.Embed(context.Background(), []string{"t0", "t1", ""})
	if err == nil || !strings.Contains(err.Error(), "text 2 is empty") {
		t.Fatalf("Embed with empty text: err = %v", err)
	}
	if n := len(s.recorded()); n != 0 {
		t.Fatalf("%d requests made, want none", n)
	}
}

// base64Vector encodes v as little-endian float32s.
func base64Vector(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(b)
}

func TestEmbedBadResponses(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(*Config)
		body    func(input []string) string
		wantErr string
	}{
		{
			name:    "malformed JSON",
			body:    func([]string) string { return `{"data":[` },
			wantErr: "decode response",
		},
		{
			name: "wrong count",
			body: func([]string) string {
				return `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[1,2]}]}`
			},
			wantErr: "got 1 embeddings for 2 inputs",
		},
		{
			name: "mismatched dimensions",
			body: func([]string) string {
				return `{"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[1,2,3]}]}`
			},
			wantErr: "dimension 3, want 2",
		},
		{
			name: "duplicate index",
			body: func([]string) string {
				return `{"data":[{"index":1,"embedding":[1,2]},{"index":1,"embedding":[1,2]}]}`
			},
			wantErr: "duplicate index 1",
		},
		{
			name: "index out of range",
			body: func([]string) string {
				return `{"data":[{"index":0,"embedding":[1,2]},{"index":7,"embedding":[1,2]}]}`
			},
			wantErr: "index 7 out of range",
		},
		{
			name:    "dimensions differ from config",
			mod:     func(c *Config) { c.Dimensions = 4 },
			body:    func([]string) string { return `{"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[3,4]}]}` },
			wantErr: "got dimension 2, want 4",
		},
		{
			name:    "oversize response",
			mod:     func(c *Config) { c.MaxResponseBytes = 100 },
			body:    func([]string) string { return `{"data":[` + strings.Repeat(" ", 200) + `]}` },
			wantErr: "response exceeds 100 bytes",
		},
		{
			name:    "bad base64",
			body:    func([]string) string { return `{"data":[{"index":0,"embedding":"!!"},{"index":1,"embedding":"!!"}]}` },
			wantErr: "base64 embedding",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newEmbedServer(t, func(w http.ResponseWriter, _ *http.Request, _ int, input []string) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, tt.body(input))
			})
			c := newTestClient(t, s, tt.mod)
			_, err := c.Embed(context.Background(), texts(2))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			if n := len(s.recorded()); n != 1 {
				t.Fatalf("%d requests, want 1 (bad responses are not retried)", n)
			}
		})
	}
}

func TestEmbedDimensionAcrossBatches(t *testing.T) {
	s := newEmbedServer(t, func(w http.ResponseWriter, _ *http.Request, n int, input []string) {
		if n == 1 {
			writeEmbeddings(w, input, false)
			return
		}
		fmt.Fprint(w, `{"data":[{"index":0,"embedding":[1,2]}]}`)
	})
	c := newTestClient(t, s, func(c *Config) { c.BatchSize = 1 })
	_, err := c.Embed(context.Background(), texts(2))
	if err == nil || !strings.Contains(err.Error(), "got dimension 2, want 3") {
		t.Fatalf("err = %v", err)
	}
}

func TestEmbedBase64(t *testing.T) {
	want := [][]float32{{0.5, -1.25, 3}, {1e-7, 0, -2}}
	s := newEmbedServer(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ []string) {
		fmt.Fprintf(w, `{"object":"list","data":[{"object":"embedding","index":1,"embedding":%q},`+
			`{"object":"embedding","index":0,"embedding":%q}],"model":"m"}`,
			base64Vector(want[1]), base64Vector(want[0]))
	})
	c := newTestClient(t, s, nil)
	got, err := c.Embed(context.Background(), texts(2))
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestEmbedConcurrent(t *testing.T) {
	s := newEmbedServer(t, nil)
	c := newTestClient(t, s, func(c *Config) { c.BatchSize = 4 })
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			in := texts(10)
			got, err := c.Embed(context.Background(), in)
			if err == nil && !reflect.DeepEqual(got[9], vectorFor(in[9])) {
				err = fmt.Errorf("vector 9 = %v", got[9])
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
