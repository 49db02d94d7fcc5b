package photo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/store/imagestore"
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
	// /hops/n redirects n times before the photo.
	mux.HandleFunc("/hops/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			http.Redirect(w, r, "/a.jpg", http.StatusFound)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hops/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.com/a.jpg", http.StatusFound)
	})
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
	f := &Fetcher{AllowHosts: []string{"127.0.0.1"}, Timeout: 300 * time.Millisecond, Limits: Limits{MaxBytes: limit}}

	for _, path := range []string{"/a.jpg", "/octet", "/untyped", "/moved", "/hops/2"} {
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
		{"/hops/3", aisle.EINVALID, "the server redirected more than 3 times"},
		{"/to-ftp", aisle.EINVALID, "the server redirected to an address that is not http(s)"},
		{"/slow", aisle.EUNAVAILABLE, "could not fetch the photo"},
		{"/slow-body", aisle.EUNAVAILABLE, "could not fetch the photo"},
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

// TestFetchRefusesInternalAddresses fetches from loopback, private,
// link-local and metadata addresses, a closed port and a name that does
// not resolve: nothing reaches the test server unless it is allowed,
// and every failure reads the same, so the errors are no oracle.
func TestFetchRefusesInternalAddresses(t *testing.T) {
	jpg, _ := realPhoto(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(jpg)
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()

	refused := []string{
		srv.URL + "/a.jpg",
		fmt.Sprintf("http://localhost:%d/a.jpg", port),          // a name resolving to loopback
		fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/a.jpg", port), // IPv4-mapped
		fmt.Sprintf("http://[64:ff9b::7f00:1]:%d/a.jpg", port),  // NAT64 of 127.0.0.1
		fmt.Sprintf("http://0.0.0.0:%d/a.jpg", port),            // unspecified: loopback on Linux
		fmt.Sprintf("http://127.1.2.3:%d/a.jpg", port),          // all of 127/8
		fmt.Sprintf("http://[::1]:%d/a.jpg", port),
		"http://169.254.169.254/latest/meta-data/iam/security-credentials/",
		"http://[fd00:ec2::254]/latest/meta-data/",
		"http://10.0.0.1/a.jpg", "http://172.16.5.4:8080/a.jpg", "http://192.168.1.1/a.jpg",
		"http://100.64.0.1/a.jpg", "http://192.0.0.170/a.jpg", "http://198.18.0.1/a.jpg",
		"http://255.255.255.255/a.jpg", "http://224.0.0.1/a.jpg", "http://[fe80::1]/a.jpg",
		"http://2130706433/a.jpg", // 127.0.0.1 as a number: not an address to Go, and no such name
	}
	unreachable := []string{
		"http://" + closed + "/a.jpg",            // allowed below, but nothing listens
		"http://photos.aisle-test.invalid/a.jpg", // .invalid never resolves (RFC 2606)
		"https://photos.aisle-test.invalid/a.jpg",
	}
	f := &Fetcher{Timeout: 2 * time.Second}
	closedOnly := &Fetcher{Timeout: 2 * time.Second, AllowHosts: []string{closed[:strings.LastIndex(closed, ":")]}}
	var want string
	check := func(f *Fetcher, ref string) error {
		t.Helper()
		_, err := f.Fetch(context.Background(), ref)
		if code := aisle.ErrorCode(err); code != aisle.EUNAVAILABLE {
			t.Errorf("%s: code %q (%v), want %q", ref, code, err, aisle.EUNAVAILABLE)
			return err
		}
		msg, ok := strings.CutPrefix(aisle.ErrorMessage(err), fmt.Sprintf("image %q: ", ref))
		if !ok {
			t.Errorf("%s: message %q does not name the reference", ref, aisle.ErrorMessage(err))
		}
		if want == "" {
			want = msg
		}
		if msg != want {
			t.Errorf("%s: message %q, want the same as every other failure: %q", ref, msg, want)
		}
		return err
	}
	for _, ref := range refused {
		// The cause (the refusal, the DNS failure) stays in the chain for
		// the log.
		if j, ok := check(f, ref).(interface{ Unwrap() []error }); !ok || len(j.Unwrap()) != 2 {
			t.Errorf("%s: no cause in the chain", ref)
		}
	}
	for _, ref := range unreachable {
		check(closedOnly, ref)
	}
	if want != "could not fetch the photo" {
		t.Errorf("message %q", want)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server was reached %d times", n)
	}
	// Allowed by address, by network or by name, it is fetched.
	for _, allow := range []string{"127.0.0.1", "127.0.0.0/8", "::ffff:127.0.0.1"} {
		f := &Fetcher{AllowHosts: []string{allow}}
		if got, err := f.Fetch(context.Background(), srv.URL+"/a.jpg"); err != nil || !bytes.Equal(got, jpg) {
			t.Errorf("allowed %s: %d bytes, %v", allow, len(got), err)
		}
	}
	byName := &Fetcher{AllowHosts: []string{"LocalHost."}}
	if _, err := byName.Fetch(context.Background(), fmt.Sprintf("http://localhost:%d/a.jpg", port)); err != nil {
		t.Errorf("allowed by name: %v", err)
	}
	if _, err := byName.Fetch(context.Background(), srv.URL+"/a.jpg"); aisle.ErrorCode(err) != aisle.EUNAVAILABLE {
		t.Errorf("the name does not allow the address: %v", err)
	}
}

// TestFetchRedirects follows redirects from an allowed server: not to a
// refused address, and never with credentials.
func TestFetchRedirects(t *testing.T) {
	jpg, _ := realPhoto(t)
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 on this machine: %v", err)
	}
	var inside atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inside.Add(1)
		w.Write([]byte("secret"))
	}))
	defer internal.Close()
	var auth atomic.Value
	auth.Store("")
	allowed := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-internal":
			http.Redirect(w, r, internal.URL+"/x", http.StatusFound)
		case "/with-credentials":
			http.Redirect(w, r, "http://user:secret@"+r.Host+"/a.jpg", http.StatusFound)
		case "/a.jpg":
			auth.Store(r.Header.Get("Authorization"))
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(jpg)
		}
	}))
	allowed.Listener.Close()
	allowed.Listener = ln
	allowed.Start()
	defer allowed.Close()
	f := &Fetcher{AllowHosts: []string{"127.0.0.2"}}

	_, err = f.Fetch(context.Background(), allowed.URL+"/to-internal")
	wantFetchError(t, err, allowed.URL+"/to-internal", aisle.EUNAVAILABLE, "could not fetch the photo")
	if inside.Load() != 0 {
		t.Error("the redirect reached the internal server")
	}
	got, err := f.Fetch(context.Background(), allowed.URL+"/with-credentials")
	if err != nil || !bytes.Equal(got, jpg) {
		t.Fatalf("redirect with credentials: %d bytes, %v", len(got), err)
	}
	if a := auth.Load().(string); a != "" {
		t.Errorf("the credentials of a redirect were sent: Authorization %q", a)
	}
	// Credentials in the reference itself are refused before any request.
	ref := strings.Replace(allowed.URL, "http://", "http://user:secret@", 1) + "/a.jpg"
	auth.Store("none")
	_, err = f.Fetch(context.Background(), ref)
	wantFetchError(t, err, ref, aisle.EINVALID, "credentials")
	if auth.Load().(string) != "none" {
		t.Error("a URL with credentials was fetched")
	}
}

func TestFetchIgnoresProxyEnvironment(t *testing.T) {
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		w.Write([]byte("from the proxy"))
	}))
	defer proxy.Close()
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("HTTPS_PROXY", proxy.URL)
	f := &Fetcher{Timeout: time.Second}
	// A public address in TEST-NET-3 is refused, not sent to the proxy.
	if _, err := f.Fetch(context.Background(), "http://203.0.113.9/a.jpg"); aisle.ErrorCode(err) != aisle.EUNAVAILABLE {
		t.Errorf("got %v", err)
	}
	if proxied.Load() != 0 {
		t.Error("the fetcher used the proxy from the environment")
	}
}

func TestPublicAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "93.184.216.34": true, "2606:4700::6810:85e5": true, "2a00:1450:4001:82b::200e": true,
		"64:ff9b::808:808": true, "2002:808:808::1": true, "::ffff:8.8.8.8": true,
		"127.0.0.1": false, "127.255.0.1": false, "10.1.2.3": false, "172.31.255.255": false, "192.168.0.1": false,
		"169.254.169.254": false, "100.64.0.1": false, "100.127.255.255": false, "0.0.0.0": false, "0.1.2.3": false,
		"192.0.0.8": false, "192.0.2.1": false, "198.18.0.1": false, "198.19.255.255": false, "198.51.100.1": false,
		"203.0.113.1": false, "224.0.0.251": false, "239.255.255.250": false, "240.0.0.1": false, "255.255.255.255": false,
		"::": false, "::1": false, "fe80::1": false, "fc00::1": false, "fd12:3456::1": false, "ff02::1": false,
		"fec0::1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "::ffff:169.254.169.254": false,
		"64:ff9b::7f00:1": false, "64:ff9b::a9fe:a9fe": false, "64:ff9b:1::1": false, "2002:7f00:1::1": false,
		"2002:a00:1::": false, "2001:db8::1": false, "2001::1": false, "100::1": false, "::127.0.0.1": false,
		"fe80::1%eth0": false,
	} {
		if got := publicAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("publicAddr(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestAddressPolicy(t *testing.T) {
	p := newAddressPolicy([]string{"10.20.0.0/16", "192.168.1.7", "photos.internal", "[fd00::5]", "bad host!"})
	for addr, ok := range map[string]bool{
		"93.184.216.34:80": true, "93.184.216.34:443": true, "93.184.216.34:8080": true,
		"93.184.216.34:25": false, "93.184.216.34:22": false, "[2606:4700::1]:6667": false,
		"10.20.3.4:25": true, "10.21.0.1:80": false, "192.168.1.7:6379": true, "192.168.1.8:80": false,
		"[fd00::5]:80": true, "[::ffff:192.168.1.7]:80": true, "127.0.0.1:80": false, "not-an-address": false,
	} {
		if err := p.control("tcp", addr, nil); (err == nil) != ok {
			t.Errorf("control(%s) = %v, want allowed %v", addr, err, ok)
		}
	}
	if !p.allowsName("Photos.Internal.") || p.allowsName("photos.internal.evil.com") || p.allowsName("bad host!") {
		t.Error("names are not matched exactly")
	}
	if err := ValidateAllowHosts([]string{"10.0.0.0/8", "::1", "cdn.example.com", "localhost"}); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"http://x", "10.0.0.0/33", "a b", "-x.com", ""} {
		if err := ValidateAllowHosts([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestFetchFiles reads files only inside the image folder, symlinks
// resolved, never in a denied folder, with errors that name no path but
// the reference and, outside the folder, do not say whether a file
// exists.
func TestFetchFiles(t *testing.T) {
	jpg, _ := realPhoto(t)
	base := t.TempDir()
	root := filepath.Join(base, "photos")
	outside := filepath.Join(base, "outside")
	data := filepath.Join(root, "data") // a data directory inside the image folder
	write := func(p string, b []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "a.jpg"), jpg)
	write(filepath.Join(root, "sub", "b.jpg"), jpg)
	write(filepath.Join(root, "over.jpg"), append(bytes.Clone(jpg), 0))
	write(filepath.Join(outside, "secret.jpg"), jpg)
	write(filepath.Join(data, "aisle.db"), jpg)
	write(filepath.Join(data, "images", "ab", "cd.jpg"), jpg)
	link("sub/b.jpg", "in.jpg")
	link(filepath.Join(outside, "secret.jpg"), "out.jpg")
	link(outside, "outdir")
	link(filepath.Join(data, "aisle.db"), "db.jpg")
	link("data", "datadir")
	if err := os.Link(filepath.Join(data, "aisle.db"), filepath.Join(root, "hard.jpg")); err != nil {
		t.Fatal(err)
	}
	// The root itself reached through a symlink.
	rootLink := filepath.Join(base, "photos-link")
	if err := os.Symlink(root, rootLink); err != nil {
		t.Fatal(err)
	}
	f := &Fetcher{Root: rootLink, Deny: []string{data}, Limits: Limits{MaxBytes: int64(len(jpg))}}

	for _, ref := range []string{
		"a.jpg", "./sub/../a.jpg", "sub/b.jpg", "in.jpg", filepath.Join(root, "a.jpg"), filepath.Join(rootLink, "sub", "b.jpg"),
		"file://" + filepath.Join(root, "a.jpg"), "file://localhost" + filepath.Join(rootLink, "a.jpg"), "file:sub/b.jpg",
	} {
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
	const neutral = "file paths outside the image folder are not read"
	wd, _ := os.Getwd()
	tests := []struct {
		ref, code, msg string
	}{
		{"nope.jpg", aisle.ENOTFOUND, "no such file in the image folder"},
		{filepath.Join(root, "sub", "nope.jpg"), aisle.ENOTFOUND, "no such file in the image folder"},
		{"sub", aisle.EINVALID, "is a directory, not a photo"},
		{"file://server/share/a.jpg", aisle.EINVALID, `file URLs on other hosts ("server") are not supported`},
		{"ftp://example.com/a.jpg", aisle.EINVALID, `scheme "ftp" is not supported`},
	}
	for _, ref := range []string{
		// Outside the folder, existing or not: one answer.
		"../outside/secret.jpg", "../outside/nope.jpg", "sub/../../outside/secret.jpg",
		filepath.Join(outside, "secret.jpg"), filepath.Join(outside, "nope.jpg"), "file://" + filepath.Join(outside, "secret.jpg"),
		"/etc/passwd", "/etc/nonexistent", "/dev/null", "/", "..",
		"out.jpg", "outdir/secret.jpg", "outdir/nope.jpg",
		// The data directory, however it is named: one answer too.
		"data/aisle.db", "data/aisle.db-wal", "data", "data/images/ab/cd.jpg", filepath.Join(data, "aisle.db"),
		"db.jpg", "datadir/aisle.db", "datadir/nope", "hard.jpg",
	} {
		tests = append(tests, struct{ ref, code, msg string }{ref, aisle.EINVALID, neutral})
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			data, err := f.Fetch(context.Background(), tt.ref)
			if err == nil {
				t.Fatalf("got %d bytes, want an error", len(data))
			}
			wantFetchError(t, err, tt.ref, tt.code, tt.msg)
			m := strings.TrimPrefix(aisle.ErrorMessage(err), fmt.Sprintf("image %q: ", tt.ref))
			for _, p := range []string{base, wd} {
				if strings.Contains(m, p) {
					t.Errorf("message %q names the path %s", m, p)
				}
			}
			if tt.msg == neutral && m != neutral {
				t.Errorf("message %q, want exactly %q", m, neutral)
			}
		})
	}
	// No image folder: no file is read, relative or absolute.
	for _, ref := range []string{"a.jpg", filepath.Join(root, "a.jpg"), "file://" + filepath.Join(root, "a.jpg")} {
		_, err := (&Fetcher{}).Fetch(context.Background(), ref)
		wantFetchError(t, err, ref, aisle.EINVALID, "this server does not read file paths")
	}
	// An image folder that is gone: unavailable, without its path.
	_, err := (&Fetcher{Root: filepath.Join(base, "gone")}).Fetch(context.Background(), "a.jpg")
	wantFetchError(t, err, "a.jpg", aisle.EUNAVAILABLE, "the image folder cannot be read")
	if strings.Contains(aisle.ErrorMessage(err), base) {
		t.Errorf("message %q names the folder", aisle.ErrorMessage(err))
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
	p, err := DecodeContext(context.Background(), bytes.NewReader(got), Options{Limits: f.Limits})
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
