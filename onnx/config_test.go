package onnx

import (
	"testing"
)

func TestParsePooling(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    Pooling
		wantDim int
		wantErr bool
	}{
		{"all-MiniLM-L6-v2", `{"word_embedding_dimension": 384, "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}`, PoolMean, 384, false},
		{"bge-small-en", `{"word_embedding_dimension": 384, "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}`, PoolCLS, 384, false},
		{"no mode", `{"word_embedding_dimension": 384}`, "", 0, true},
		{"two modes", `{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": true}`, "", 0, true},
		{"max tokens", `{"pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": true}`, "", 0, true},
		{"last token", `{"pooling_mode_lasttoken": true}`, "", 0, true},
		{"not json", `{"pooling_mode_cls_token": tru`, "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, dim, err := parsePooling([]byte(tt.json))
			if (err != nil) != tt.wantErr || got != tt.want || dim != tt.wantDim {
				t.Fatalf("parsePooling = %q, %d, %v; want %q, %d, error %v", got, dim, err, tt.want, tt.wantDim, tt.wantErr)
			}
		})
	}
}

func FuzzParsePooling(f *testing.F) {
	f.Add([]byte(`{"word_embedding_dimension": 384, "pooling_mode_mean_tokens": true}`))
	f.Add([]byte(`{"pooling_mode_cls_token": true, "pooling_mode_max_tokens": false}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, _, err := parsePooling(data)
		if err == nil && p != PoolMean && p != PoolCLS {
			t.Fatalf("parsePooling accepted %q as pooling %q", data, p)
		}
		if err != nil && p != "" {
			t.Fatalf("parsePooling returned pooling %q with error %v", p, err)
		}
	})
}
