package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/aislehq/aisle/onnx"
)

// TestServeJoinsItsGoroutines runs aisle serve in this process, with no
// image model and, when it is installed, with the shipped one (whose
// photo classifier is reloaded in the background), and checks that every
// goroutine it started has returned once it has.
func TestServeJoinsItsGoroutines(t *testing.T) {
	for _, model := range []string{imageModelNone, mobileNet} {
		t.Run(filepath.Base(model), func(t *testing.T) {
			if model != imageModelNone {
				if _, err := os.Stat(filepath.Join(model, "model.onnx")); err != nil {
					t.Skipf("real MobileNet not found: %v", err)
				}
				if _, err := onnx.FindLibrary(""); err != nil {
					t.Skip(err)
				}
			}
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			base, done := serveInProcess(t, ctx, "-data-dir", t.TempDir(), "-addr", "127.0.0.1:0", "-image-model", model, "-log-level", "error")
			client := &http.Client{}
			resp, err := client.Get(base + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			client.CloseIdleConnections()
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("serve exited with %d", code)
			}
		})
	}
}
