package photo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/imagestore"
)

// realPhoto returns the bytes of one real clothing photo and its path.
func realPhoto(tb testing.TB) ([]byte, string) {
	tb.Helper()
	path := clothingPhotos(tb)[0]
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data, path
}

// wantFetchError checks err's code and that its message names ref and
// says msg.
func wantFetchError(t *testing.T, err error, ref, code, msg string) {
	t.Helper()
	if got := aisle.ErrorCode(err); got != code {
		t.Errorf("code %q (%v), want %q", got, err, code)
	}
	m := aisle.ErrorMessage(err)
	if !strings.HasPrefix(m, fmt.Sprintf("image %q: ", ref)) || !strings.Contains(m, msg) {
		t.Errorf("message %q does not name %q and say %q", m, ref, msg)
	}
}

func TestFetchURL(t *testing.T) {
	jpg, _ := realPhoto(t)
	const limit = 100_000
	if len(jpg) > limit {
		t.Fatalf("test photo of %d bytes is over the test limit", len(jpg))
	}
	big := bytes.Repeat([]byte{0xff}, 2*limit)
	mux := http.NewServeMux()
	serve := func(ct string, body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if ct == "" {
				w.Header()["Content-Type"] = nil // no sniffing: no header at all
			} else {
				w.Header().Set("Content-Type", ct)
			}
			w.Write(body)
		}
	}
	mux.HandleFunc("/a.jpg", serve("image/jpeg", jpg))
	mux.HandleFunc("/octet", serve("application/octet-stream", jpg))
	mux.HandleFunc("/untyped", serve("", jpg))
	mux.HandleFunc("/page.html", serve("text/html; charset=utf-8", []byte("<html><img src=a.jpg></html>")))
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/a.jpg", http.StatusFound) })
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) })
	mux.HandleFunc("/forbidden", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) })
	var bodyWaited atomic.Bool
	mux.HandleFunc("/big-announced", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Content-Length", fmt.Sprint(len(big)))
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		// Stalls: a client that reads the body waits for its timeout.
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
			bodyWaited.Store(true)
		}
	})
	mux.HandleFunc("/big-chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		for i := 0; i < len(big); i += 4096 {
			if _, err := w.Write(big[i:min(i+4096, len(big))]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/slow-body", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(jpg[:100])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := &Fetcher{Timeout: 300 * time.Millisecond, Limits: Limits{MaxBytes: limit}}

	for _, path := range []string{"/a.jpg", "/octet", "/untyped", "/moved"} {
		t.Run(path, func(t *testing.T) {
			got, err := f.Fetch(context.Background(), srv.URL+path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, jpg) {
				t.Fatalf("got %d bytes, want the photo's %d", len(got), len(jpg))
			}
		})
	}
	tests := []struct {
		path, code, msg string
	}{
		{"/missing.jpg", aisle.ENOTFOUND, "the server answered 404 Not Found"},
		{"/broken", aisle.EUNAVAILABLE, "the server answered 500 Internal Server Error"},
		{"/forbidden", aisle.EINVALID, "the server answered 403 Forbidden"},
		{"/page.html", aisle.EINVALID, "the server sent text/html; charset=utf-8, not a photo"},
		{"/big-announced", aisle.ETOOLARGE, fmt.Sprintf("the server announces %d bytes, over the limit of %d", len(big), limit)},
		{"/big-chunked", aisle.ETOOLARGE, fmt.Sprintf("the server sent more than the limit of %d bytes", limit)},
		{"/slow", aisle.EUNAVAILABLE, "no complete answer from host \"127.0.0.1\" within 300ms"},
		{"/slow-body", aisle.EUNAVAILABLE, "no complete answer from host \"127.0.0.1\" within 300ms"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			ref := srv.URL + tt.path
			data, err := f.Fetch(context.Background(), ref)
			if err == nil {
				t.Fatalf("got %d bytes, want an error", len(data))
			}
			wantFetchError(t, err, ref, tt.code, tt.msg)
		})
	}
	if bodyWaited.Load() {
		t.Error("the announced oversized body was waited for")
	}

	// The caller's context ending is the caller's error, not the host's.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	_, err := f.Fetch(ctx, srv.URL+"/slow")
	if !errors.Is(err, context.Canceled) || aisle.ErrorCode(err) != aisle.EINTERNAL {
		t.Errorf("cancelled fetch: %v, want context.Canceled", err)
	}
}

// TestFetchNoNetwork runs where no network may exist: hosts that cannot be
// resolved or reached must fail within the timeout, saying so.
func TestFetchNoNetwork(t *testing.T) {
	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()

	f := &Fetcher{Timeout: time.Second}
	tests := []struct {
		ref  string
		msgs []string // the message says one of these
	}{
		// .invalid never resolves (RFC 2606).
		{"http://photos.aisle-test.invalid/a.jpg", []string{`cannot resolve host "photos.aisle-test.invalid" (no network, or a wrong host name?)`}},
		{"http://" + closed + "/a.jpg", []string{`cannot reach host "127.0.0.1" (no network?)`}},
		// TEST-NET-1 (RFC 5737) is never routed: refused, unreachable or silent.
		{"https://192.0.2.1:81/a.jpg", []string{`cannot reach host "192.0.2.1" (no network?)`, `no complete answer from host "192.0.2.1" within 1s`}},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			_, err := f.Fetch(context.Background(), tt.ref)
			if got := aisle.ErrorCode(err); got != aisle.EUNAVAILABLE {
				t.Fatalf("code %q (%v), want %q", got, err, aisle.EUNAVAILABLE)
			}
			m := aisle.ErrorMessage(err)
			ok := false
			for _, want := range tt.msgs {
				ok = ok || strings.HasPrefix(m, fmt.Sprintf("image %q: %s", tt.ref, want))
			}
			if !ok {
				t.Errorf("message %q says none of %q", m, tt.msgs)
			}
		})
	}
}

func TestFetchFiles(t *testing.T) {
	jpg, path := realPhoto(t)
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(filepath.Dir(abs))
	rel, _ := filepath.Rel(root, abs)
	tmp := t.TempDir()
	exact := filepath.Join(tmp, "exact.jpg")
	over := filepath.Join(tmp, "over.jpg")
	if err := os.WriteFile(exact, jpg, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(over, append(bytes.Clone(jpg), 0), 0o600); err != nil {
		t.Fatal(err)
	}
	f := &Fetcher{Root: root, Limits: Limits{MaxBytes: int64(len(jpg))}}

	for _, ref := range []string{abs, rel, "file://" + abs, "file://localhost" + abs, exact} {
		t.Run(ref, func(t *testing.T) {
			got, err := f.Fetch(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, jpg) {
				t.Fatalf("got %d bytes, want the photo's %d", len(got), len(jpg))
			}
		})
	}
	tests := []struct {
		ref, code, msg string
	}{
		{filepath.Join(tmp, "nope.jpg"), aisle.ENOTFOUND, "no such file"},
		{"nope/a.jpg", aisle.ENOTFOUND, "no such file (looked for " + filepath.Join(root, "nope", "a.jpg") + ")"},
		{"file://" + filepath.Join(tmp, "nope.jpg"), aisle.ENOTFOUND, "no such file"},
		{tmp, aisle.EINVALID, "is a directory"},
		{over, aisle.ETOOLARGE, fmt.Sprintf("the file is %d bytes, over the limit of %d", len(jpg)+1, len(jpg))},
		{"file://server/share/a.jpg", aisle.EINVALID, `file URLs on other hosts ("server") are not supported`},
		{"ftp://example.com/a.jpg", aisle.EINVALID, `scheme "ftp" is not supported`},
		{"/dev/null", aisle.EINVALID, "is not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			data, err := f.Fetch(context.Background(), tt.ref)
			if err == nil {
				t.Fatalf("got %d bytes, want an error", len(data))
			}
			wantFetchError(t, err, tt.ref, tt.code, tt.msg)
		})
	}
}

func TestFetchUploads(t *testing.T) {
	jpg, _ := realPhoto(t)
	store := imagestore.New(t.TempDir())
	hash, err := store.Put(jpg)
	if err != nil {
		t.Fatal(err)
	}
	f := &Fetcher{Originals: store}
	got, err := f.Fetch(context.Background(), aisle.UploadRef(hash))
	if err != nil || !bytes.Equal(got, jpg) {
		t.Fatalf("Fetch(upload) = %d bytes, %v", len(got), err)
	}
	// What was fetched decodes, and hashes to its reference.
	p, err := Decode(bytes.NewReader(got), f.Limits)
	if err != nil || p.Hash != hash {
		t.Fatalf("Decode(fetched) = %+v, %v; want hash %s", p, err, hash)
	}

	absent := aisle.UploadRef(strings.Repeat("0", 64))
	tests := []struct {
		f              *Fetcher
		ref, code, msg string
	}{
		{f, absent, aisle.ENOTFOUND, "no photo was uploaded with this hash"},
		{&Fetcher{}, aisle.UploadRef(hash), aisle.ENOTFOUND, "this server keeps no uploaded photos"},
		{f, "sha256:../../etc/passwd", aisle.EINVALID, "not an upload reference"},
		{f, "SHA256:" + strings.ToUpper(hash), aisle.EINVALID, "not an upload reference"},
		{&Fetcher{Originals: store, Limits: Limits{MaxBytes: 10}}, aisle.UploadRef(hash), aisle.ETOOLARGE, "over the limit of 10"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			_, err := tt.f.Fetch(context.Background(), tt.ref)
			wantFetchError(t, err, tt.ref, tt.code, tt.msg)
		})
	}
}
