package photo

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aislehq/aisle"
)

// DefaultFetchTimeout bounds one URL fetch when Fetcher.Timeout is zero.
const DefaultFetchTimeout = 10 * time.Second

// Originals gives the original bytes of uploaded photos by content hash;
// *imagestore.Store is one. Get returns an error with code ENOTFOUND when
// nothing is stored under hash.
type Originals interface {
	Get(hash string) ([]byte, error)
}

// Fetcher resolves an item's image reference to the photo's bytes:
//
//   - "sha256:<hash>" (aisle.UploadRef): an uploaded photo, from Originals;
//   - "http://..." and "https://...": fetched with a GET;
//   - "file:///abs/path.jpg", "/abs/path.jpg" and "rel/path.jpg": a file,
//     relative paths taken against Root.
//
// Every reference is read to at most Limits.MaxBytes, checked before the
// bytes are read where their size is known (a file's size, a response's
// Content-Length), so an oversized photo costs no large allocation. The
// zero value is usable: no uploads, the working directory as Root,
// http.DefaultClient, DefaultFetchTimeout, the default Limits. A Fetcher
// is safe for concurrent use once its fields are set.
//
// Note that file references read any file the process can read: the
// bytes are only ever used as a photo (Decode rejects anything else), but
// the error says whether the file exists.
type Fetcher struct {
	// Originals keeps uploaded photos; nil answers upload references with
	// ENOTFOUND.
	Originals Originals
	// Root is the directory relative file paths are resolved against;
	// empty means the working directory.
	Root string
	// Client sends the GET requests; nil means http.DefaultClient (whose
	// transport honours the HTTP_PROXY environment variables).
	Client *http.Client
	// Timeout bounds one URL fetch, from dialling to the last byte; zero
	// means DefaultFetchTimeout.
	Timeout time.Duration
	// Limits.MaxBytes caps the bytes of one photo (DefaultMaxBytes when
	// zero); the other limits are Decode's.
	Limits Limits
}

// Fetch returns the bytes ref refers to. Its errors are *aisle.Error whose
// message starts with the reference (`image "https://x/a.jpg": ...`) and
// says what to fix: ENOTFOUND when there is nothing there (no such file,
// an HTTP 404, an upload not stored), ETOOLARGE when it is over
// Limits.MaxBytes, EUNAVAILABLE when the host cannot be resolved, reached
// or does not answer in time, or answers with a server error, EINVALID for
// an unsupported or malformed reference, a web page instead of a photo,
// or any other refusal. Errors reading local storage are returned wrapped,
// as is ctx's error when ctx ends first.
func (f *Fetcher) Fetch(ctx context.Context, ref string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("photo: fetch %q: %w", ref, err)
	}
	lower := strings.ToLower(ref)
	switch {
	case strings.HasPrefix(lower, aisle.UploadRefPrefix):
		return f.fetchUpload(ref)
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		return f.fetchURL(ctx, ref)
	case strings.HasPrefix(lower, "file:"):
		u, err := url.Parse(ref)
		if err != nil {
			return nil, refError(aisle.EINVALID, ref, "not a valid file URL: %v", err)
		}
		if u.Host != "" && u.Host != "localhost" {
			return nil, refError(aisle.EINVALID, ref, "file URLs on other hosts (%q) are not supported", u.Host)
		}
		p := u.Path
		if u.Opaque != "" { // file:rel/a.jpg
			p = u.Opaque
		}
		return f.fetchFile(ref, p)
	case strings.Contains(ref, "://"):
		scheme, _, _ := strings.Cut(ref, "://")
		return nil, refError(aisle.EINVALID, ref, "scheme %q is not supported: use http(s) URLs, file paths or uploads (sha256:<hash>)", scheme)
	default:
		return f.fetchFile(ref, ref)
	}
}

// refError is an *aisle.Error about image reference ref.
func refError(code, ref, format string, args ...any) error {
	return aisle.Errorf(code, "image %q: %s", ref, fmt.Sprintf(format, args...))
}

func (f *Fetcher) maxBytes() int64 { return f.Limits.withDefaults().MaxBytes }

func (f *Fetcher) fetchUpload(ref string) ([]byte, error) {
	hash, ok := aisle.ParseUploadRef(ref)
	if !ok {
		return nil, refError(aisle.EINVALID, ref, "not an upload reference: want %s and 64 lower-case hex digits", aisle.UploadRefPrefix)
	}
	if f.Originals == nil {
		return nil, refError(aisle.ENOTFOUND, ref, "this server keeps no uploaded photos")
	}
	data, err := f.Originals.Get(hash)
	switch {
	case aisle.ErrorCode(err) == aisle.ENOTFOUND:
		return nil, refError(aisle.ENOTFOUND, ref, "no photo was uploaded with this hash (upload it with PUT /v1/items/{id}/image)")
	case err != nil:
		return nil, fmt.Errorf("photo: fetch %q: %w", ref, err)
	case int64(len(data)) > f.maxBytes():
		return nil, refError(aisle.ETOOLARGE, ref, "the upload is %d bytes, over the limit of %d", len(data), f.maxBytes())
	}
	return data, nil
}

// fetchFile reads the file at path, which ref names.
func (f *Fetcher) fetchFile(ref, path string) ([]byte, error) {
	if path == "" {
		return nil, refError(aisle.EINVALID, ref, "no file path")
	}
	where := ""
	if !filepath.IsAbs(path) {
		abs, err := filepath.Abs(filepath.Join(f.Root, path))
		if err == nil {
			path = abs
		}
		where = fmt.Sprintf(" (looked for %s)", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fileError(ref, where, err)
	}
	switch {
	case fi.IsDir():
		return nil, refError(aisle.EINVALID, ref, "is a directory, not a photo%s", where)
	case !fi.Mode().IsRegular():
		return nil, refError(aisle.EINVALID, ref, "is not a regular file%s", where)
	case fi.Size() > f.maxBytes():
		return nil, refError(aisle.ETOOLARGE, ref, "the file is %d bytes, over the limit of %d", fi.Size(), f.maxBytes())
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, fileError(ref, where, err)
	}
	defer file.Close()
	// The file may have grown since Stat: read one byte more than allowed.
	data, err := io.ReadAll(io.LimitReader(file, f.maxBytes()+1))
	if err != nil {
		return nil, fmt.Errorf("photo: read %q: %w", ref, err)
	}
	if int64(len(data)) > f.maxBytes() {
		return nil, refError(aisle.ETOOLARGE, ref, "the file is over the limit of %d bytes", f.maxBytes())
	}
	return data, nil
}

// fileError describes an error opening ref's file.
func fileError(ref, where string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return refError(aisle.ENOTFOUND, ref, "no such file%s", where)
	case errors.Is(err, fs.ErrPermission):
		return refError(aisle.EINVALID, ref, "permission denied: the server cannot read this file%s", where)
	}
	return fmt.Errorf("photo: open %q: %w", ref, err)
}

// fetchURL GETs ref.
func (f *Fetcher) fetchURL(ctx context.Context, ref string) ([]byte, error) {
	u, err := url.Parse(ref)
	if err != nil || u.Host == "" {
		return nil, refError(aisle.EINVALID, ref, "not a valid URL")
	}
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	fctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(fctx, http.MethodGet, ref, nil)
	if err != nil {
		return nil, refError(aisle.EINVALID, ref, "not a valid URL: %v", err)
	}
	req.Header.Set("Accept", "image/*, application/octet-stream;q=0.5")
	resp, err := client.Do(req)
	if err != nil {
		return nil, netError(ctx, ref, u.Hostname(), timeout, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		code := aisle.EINVALID
		switch {
		case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
			code = aisle.ENOTFOUND
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			code = aisle.EUNAVAILABLE
		}
		return nil, refError(code, ref, "the server answered %s", resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); !imageContentType(ct) {
		return nil, refError(aisle.EINVALID, ref, "the server sent %s, not a photo (is this the address of a web page rather than of the image itself?)", ct)
	}
	limit := f.maxBytes()
	if resp.ContentLength > limit {
		return nil, refError(aisle.ETOOLARGE, ref, "the server announces %d bytes, over the limit of %d", resp.ContentLength, limit)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, netError(ctx, ref, u.Hostname(), timeout, err)
	}
	if int64(len(data)) > limit {
		return nil, refError(aisle.ETOOLARGE, ref, "the server sent more than the limit of %d bytes", limit)
	}
	return data, nil
}

// imageContentType reports whether a response's Content-Type may hold a
// photo: anything but text, HTML and JSON (servers label photos
// image/*, application/octet-stream, binary/octet-stream or nothing; the
// bytes themselves decide the format).
func imageContentType(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return true // unparseable: let the bytes decide
	}
	switch {
	case strings.HasPrefix(mt, "text/"), mt == "application/xhtml+xml", mt == "application/json":
		return false
	}
	return true
}

// netError describes an error fetching ref from host: ctx's own error
// when the caller's context ended, else an *aisle.Error saying what failed.
func netError(ctx context.Context, ref, host string, timeout time.Duration, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("photo: fetch %q: %w", ref, cerr)
	}
	var (
		dns  *net.DNSError
		op   *net.OpError
		ne   net.Error
		cert *tls.CertificateVerificationError
		rec  tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &dns):
		return refError(aisle.EUNAVAILABLE, ref, "cannot resolve host %q (no network, or a wrong host name?): %v", host, dns)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return refError(aisle.EUNAVAILABLE, ref, "no complete answer from host %q within %v", host, timeout)
	case errors.As(err, &op) && op.Op == "dial":
		return refError(aisle.EUNAVAILABLE, ref, "cannot reach host %q (no network?): %v", host, op.Err)
	case errors.As(err, &cert):
		return refError(aisle.EINVALID, ref, "host %q's TLS certificate is not trusted: %v", host, cert.Err)
	case errors.As(err, &rec):
		return refError(aisle.EINVALID, ref, "host %q does not speak TLS here (try http://)", host)
	}
	return refError(aisle.EUNAVAILABLE, ref, "cannot fetch from host %q: %v", host, err)
}
