package openai

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeVector(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    []float32
		wantErr string
	}{
		{"array", `[1, -2.5, 0]`, []float32{1, -2.5, 0}, ""},
		{"base64", `"` + base64Vector([]float32{1, 2}) + `"`, []float32{1, 2}, ""},
		{"null", `null`, nil, "missing embedding"},
		{"missing", ``, nil, "missing embedding"},
		{"object", `{}`, nil, "embedding"},
		{"ragged base64", `"AAAA AA=="`, nil, "base64"},
		{"partial float", `"AAAAAAA="`, nil, "whole number of float32s"},
		{"NaN base64", `"` + base64Vector([]float32{float32(math.NaN())}) + `"`, nil, "NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeVector([]byte(tt.raw))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("decodeVector = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestDecodeEmbeddingsMissingIndex(t *testing.T) {
	// Some servers omit "index"; position is used instead.
	got, err := decodeEmbeddings([]byte(`{"data":[{"embedding":[1]},{"embedding":[2]}]}`), 2)
	if err != nil || !reflect.DeepEqual(got, [][]float32{{1}, {2}}) {
		t.Fatalf("decodeEmbeddings = %v, %v", got, err)
	}
}

func FuzzDecodeEmbeddings(f *testing.F) {
	f.Add([]byte(`{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],"model":"m","usage":{"prompt_tokens":1,"total_tokens":1}}`), 1)
	f.Add([]byte(`{"data":[{"index":1,"embedding":"AACAPw=="},{"index":0,"embedding":"AAAAQA=="}]}`), 2)
	f.Add([]byte(`{"data":[{"index":-1,"embedding":[1]}]}`), 1)
	f.Add([]byte(`{"data":null}`), 0)
	f.Add([]byte(`not json`), 3)
	f.Fuzz(func(t *testing.T, body []byte, want int) {
		want = int(uint(want) % 1024)
		vecs, err := decodeEmbeddings(body, want)
		if err != nil {
			return
		}
		if len(vecs) != want {
			t.Fatalf("got %d vectors, want %d", len(vecs), want)
		}
		for i, v := range vecs {
			if len(v) == 0 || len(v) != len(vecs[0]) {
				t.Fatalf("vector %d has dimension %d, first has %d", i, len(v), len(vecs[0]))
			}
		}
	})
}
