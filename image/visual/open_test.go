package visual

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
)

// noItems is an empty catalog.
type noItems struct{}

func (noItems) ListItems(ctx context.Context, f aisle.ItemFilter) (aisle.ItemPage, error) {
	return aisle.ItemPage{}, nil
}

func TestOpenWithoutModel(t *testing.T) {
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "mobilenet")
	tests := []struct {
		name  string
		m     Models
		warn  string // part of the warning logged
		model string // ModelError.Model; "" for none
	}{
		{name: "none", m: Models{}},
		{name: "optional model missing", m: Models{Image: missing, Optional: true}, warn: "no image model: photos get colours only"},
		{name: "model missing", m: Models{Image: missing}, model: "image"},
		{name: "clip missing", m: Models{CLIP: missing, Image: missing, Optional: true}, model: "clip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			o, err := Open(ctx, tt.m, Deps{}, Config{}, noItems{}, slog.New(slog.NewTextHandler(&log, nil)))
			if tt.model != "" {
				var me *ModelError
				if !errors.As(err, &me) || me.Model != tt.model || !strings.HasPrefix(err.Error(), tt.model+" model: ") {
					t.Fatalf("got %v, want a ModelError of the %s model", err, tt.model)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			if o.HasModel() || o.Dual != nil {
				t.Error("a model runs")
			}
			if !strings.Contains(log.String(), tt.warn) || tt.warn == "" && log.Len() > 0 {
				t.Errorf("logged %q, want %q", log.String(), tt.warn)
			}
		})
	}
}

func TestOpenNotAModel(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "model.onnx"), []byte("not a model"), 0o644)
	// An existing model that does not open is an error even when optional.
	_, err := Open(context.Background(), Models{Image: dir, Optional: true}, Deps{}, Config{}, noItems{}, nil)
	var me *ModelError
	if !errors.As(err, &me) || me.Model != "image" {
		t.Errorf("got %v, want a ModelError of the image model", err)
	}
}
