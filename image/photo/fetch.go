package photo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

// Fetcher resolves an item's image reference (ParseRef) to the photo's
// bytes:
//
//   - "sha256:<hash>" (aisle.UploadRef): an uploaded photo, from Originals;
//   - "http://..." and "https://...": fetched with a GET, only from public
//     addresses unless AllowHosts says otherwise;
//   - "file:///abs/path.jpg", "/abs/path.jpg" and "rel/path.jpg": a file
//     inside Root (relative paths are taken against Root), never inside
//     a Deny directory; refused when Root is empty.
//
// Every reference is read to at most Limits.MaxBytes, checked before the
// bytes are read where their size is known (a file's size, a response's
// Content-Length), so an oversized photo costs no large allocation.
//
// The zero value is usable and reads no files: uploads only with
// Originals, URLs to public addresses through its own client,
// DefaultFetchTimeout, the default Limits. A Fetcher is safe for
// concurrent use once its fields are set; they must not change after
// the first Fetch, and a Fetcher must not be copied after it.
//
// What the references may reach, and why:
//
// Files. The server process can read its own data directory, the
// operating system's files and its credentials, and merely opening and
// closing its SQLite database through another descriptor drops the
// database's POSIX locks (they belong to the process, not to the
// descriptor), after which another SQLite client may delete the live
// WAL and acknowledged writes are lost. So a file reference is read only
// when it lies inside Root once symlinks are resolved (filepath.EvalSymlinks
// for the checks, then opened through os.Root, which refuses any escape
// even if the folder changes meanwhile), and never when it resolves into
// a Deny directory, or is the same file (a hard link) as one directly in
// one. A reference outside Root or inside Deny gets one neutral error
// that does not say whether the file exists; no error names an absolute
// path or the working directory.
//
// URLs. When Client is nil the Fetcher's own client connects only to
// public addresses: each connection's resolved IP address is checked as
// it is dialled (so every redirect and a DNS answer that changes between
// lookups are covered), refusing loopback, private (RFC 1918, fc00::/7),
// link-local (169.254.0.0/16 with the cloud metadata address, fe80::/10),
// unspecified, multicast, broadcast, shared (CGNAT 100.64.0.0/10),
// reserved and documentation ranges, and those same addresses in IPv6
// forms (IPv4-mapped, NAT64 64:ff9b::/96, 6to4). On public addresses the
// ports browsers refuse to fetch from (the Fetch standard's "bad ports":
// SSH 22, SMTP 25, IRC, ...) are refused too; every other port is
// allowed, since photo hosts use many and the address rule, not the
// port, is what keeps internal services out. No proxy is used, whatever the
// environment says, since a proxy would connect on the Fetcher's behalf
// past these checks. At most 3 redirects are followed, to http(s) only.
// URLs with user:password@ are refused (ParseRef), and credentials in a
// redirect's Location are dropped, so none are ever sent. Every failure
// before a response arrives (a refused address, a DNS failure, a refused
// connection, a timeout, a TLS error) gets the same message, so the
// errors tell nothing about the internal network; the cause stays in the
// error chain for the server's log.
type Fetcher struct {
	// Originals keeps uploaded photos; nil answers upload references with
	// ENOTFOUND.
	Originals Originals
	// Root is the image folder: file references are read only inside it,
	// symlinks resolved, relative ones taken against it. Empty refuses
	// every file reference.
	Root string
	// Deny lists directories whose files are never read, even inside
	// Root, checked after resolving symlinks: the server's data
	// directory (its database, write-ahead log, models, originals).
	Deny []string
	// Client sends the GET requests. Nil means the Fetcher's own client,
	// which enforces the address rules above, follows at most 3
	// redirects and uses no proxy; a Client given here is used as it is,
	// with none of those rules.
	Client *http.Client
	// AllowHosts lets the Fetcher's own client reach addresses it would
	// refuse: each entry is an IP address ("10.0.0.7"), a network in CIDR
	// form ("10.20.0.0/16", "fd00::/8") or a host name ("photos.internal",
	// matched exactly, case-insensitively, whatever it resolves to).
	// Entries that are none of these never match (ValidateAllowHosts
	// checks them).
	AllowHosts []string
	// Timeout bounds one URL fetch, from dialling to the last byte; zero
	// means DefaultFetchTimeout.
	Timeout time.Duration
	// Limits.MaxBytes caps the bytes of one photo (DefaultMaxBytes when
	// zero); the other limits are Decode's.
	Limits Limits

	once   sync.Once
	client *http.Client
}

// Fetch returns the bytes ref refers to. ref is classified by ParseRef,
// whose EINVALID errors it returns. Its other errors are *aisle.Error
// whose message starts with the reference (`image "https://x/a.jpg":
// ...`) and says what to fix:
//
//   - uploads: ENOTFOUND when nothing is stored under the hash,
//     ETOOLARGE over Limits.MaxBytes;
//   - files: EINVALID when the Fetcher reads no files or the file is
//     outside Root or inside a Deny directory (one message, whether or
//     not it exists), is a directory or not a regular file, or cannot be
//     read for permissions; ENOTFOUND when there is no such file in Root;
//     ETOOLARGE over Limits.MaxBytes; EUNAVAILABLE when Root itself
//     cannot be opened;
//   - URLs: EUNAVAILABLE "could not fetch the photo" for every failure
//     before a response (with the cause joined in the chain, for the
//     log); after a response, ENOTFOUND for 404 and 410, EUNAVAILABLE for
//     429 and 5xx, EINVALID for other statuses, a web page instead of a
//     photo or a bad redirect, ETOOLARGE over Limits.MaxBytes.
//
// Errors reading local storage are returned wrapped, as is ctx's error
// when ctx ends first.
func (f *Fetcher) Fetch(ctx context.Context, ref string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("photo: fetch: %w", err)
	}
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	switch r.Kind {
	case RefUpload:
		return f.fetchUpload(r)
	case RefURL:
		return f.fetchURL(ctx, r)
	default:
		return f.fetchFile(r)
	}
}

func (f *Fetcher) maxBytes() int64 { return f.Limits.withDefaults().MaxBytes }

func (f *Fetcher) fetchUpload(r Ref) ([]byte, error) {
	if f.Originals == nil {
		return nil, refError(aisle.ENOTFOUND, r.Raw, "this server keeps no uploaded photos")
	}
	data, err := f.Originals.Get(r.Hash)
	switch {
	case aisle.ErrorCode(err) == aisle.ENOTFOUND:
		return nil, refError(aisle.ENOTFOUND, r.Raw, "no photo was uploaded with this hash (upload it with PUT /v1/items/{id}/image)")
	case err != nil:
		return nil, fmt.Errorf("photo: fetch upload %s: %w", r.Hash, err)
	case int64(len(data)) > f.maxBytes():
		return nil, refError(aisle.ETOOLARGE, r.Raw, "the upload is %d bytes, over the limit of %d", len(data), f.maxBytes())
	}
	return data, nil
}

// notInRoot is the one answer for a file outside the image folder or in
// a denied directory: it does not say whether the file exists.
func notInRoot(raw string, cause error) error {
	return errors.Join(refError(aisle.EINVALID, raw, "file paths outside the image folder are not read"), cause)
}

// rootUnreadable is the answer when the image folder itself cannot be
// resolved or opened: it does not name the folder.
func rootUnreadable(raw string, cause error) error {
	return errors.Join(refError(aisle.EUNAVAILABLE, raw, "the image folder cannot be read"), fmt.Errorf("photo: image folder: %w", cause))
}

// fetchFile reads the file r names, inside Root and outside Deny.
func (f *Fetcher) fetchFile(r Ref) ([]byte, error) {
	if f.Root == "" {
		return nil, refError(aisle.EINVALID, r.Raw, "this server does not read file paths: upload the photo (PUT /v1/items/{id}/image) or give its http(s) URL")
	}
	absRoot, err := filepath.Abs(f.Root)
	var root string
	if err == nil {
		root, err = filepath.EvalSymlinks(absRoot)
	}
	if err != nil {
		return nil, rootUnreadable(r.Raw, err)
	}
	// Lexically inside the folder, as configured or as resolved?
	rel, ok := r.Path, filepath.IsLocal(r.Path) || r.Path == "."
	if filepath.IsAbs(r.Path) {
		if rel, ok = within(absRoot, r.Path); !ok {
			rel, ok = within(root, r.Path)
		}
	}
	if !ok {
		return nil, notInRoot(r.Raw, fmt.Errorf("photo: %s is outside the image folder %s", r.Path, root))
	}
	// Still inside once symlinks are resolved, and in no denied folder?
	real := resolve(filepath.Join(root, rel))
	if rel, ok = within(root, real); !ok {
		return nil, notInRoot(r.Raw, fmt.Errorf("photo: %s resolves to %s, outside the image folder %s", r.Path, real, root))
	}
	deny := make([]string, len(f.Deny))
	for i, d := range f.Deny {
		if abs, err := filepath.Abs(d); err == nil {
			d = abs
		}
		deny[i] = resolve(d)
		if _, in := within(deny[i], real); in {
			return nil, notInRoot(r.Raw, fmt.Errorf("photo: %s resolves to %s, inside the denied folder %s", r.Path, real, deny[i]))
		}
	}
	dir, err := os.OpenRoot(root)
	if err != nil {
		return nil, rootUnreadable(r.Raw, err)
	}
	defer dir.Close()
	fi, err := dir.Stat(rel)
	if err != nil {
		return nil, fileError(r.Raw, err)
	}
	switch {
	case fi.IsDir():
		return nil, refError(aisle.EINVALID, r.Raw, "is a directory, not a photo")
	case !fi.Mode().IsRegular():
		return nil, refError(aisle.EINVALID, r.Raw, "is not a regular file")
	case fi.Size() > f.maxBytes():
		return nil, refError(aisle.ETOOLARGE, r.Raw, "the file is %d bytes, over the limit of %d", fi.Size(), f.maxBytes())
	}
	// A hard link is the same file under another name: never open (and
	// so close) one of a denied folder's files, its database above all.
	for _, d := range deny {
		if sameAsFileIn(fi, d) {
			return nil, notInRoot(r.Raw, fmt.Errorf("photo: %s is a hard link to a file of the denied folder %s", r.Path, d))
		}
	}
	file, err := dir.Open(rel)
	if err != nil {
		return nil, fileError(r.Raw, err)
	}
	defer file.Close()
	if now, err := file.Stat(); err != nil || !os.SameFile(fi, now) {
		return nil, notInRoot(r.Raw, fmt.Errorf("photo: %s changed while it was opened", r.Path))
	}
	// The file may have grown since Stat: read one byte more than allowed.
	data, err := io.ReadAll(io.LimitReader(file, f.maxBytes()+1))
	if err != nil {
		return nil, fmt.Errorf("photo: read %s: %w", r.Path, err)
	}
	if int64(len(data)) > f.maxBytes() {
		return nil, refError(aisle.ETOOLARGE, r.Raw, "the file is over the limit of %d bytes", f.maxBytes())
	}
	return data, nil
}

// within returns p relative to dir, and whether p is dir or inside it,
// lexically (both absolute and clean).
func within(dir, p string) (string, bool) {
	rel, err := filepath.Rel(dir, p)
	if err != nil || !(rel == "." || filepath.IsLocal(rel)) {
		return "", false
	}
	return rel, true
}

// resolve returns the absolute path p with every symlink resolved in the
// longest part of it that exists; the rest is appended as it is.
func resolve(p string) string {
	rest := ""
	for {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(real, rest)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(p, rest)
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

// sameAsFileIn reports whether fi is the same file as one of the regular
// files directly in dir.
func sameAsFileIn(fi os.FileInfo, dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil && os.SameFile(fi, info) {
			return true
		}
	}
	return false
}

// fileError describes an error finding or opening raw's file inside the
// image folder.
func fileError(raw string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return refError(aisle.ENOTFOUND, raw, "no such file in the image folder")
	case errors.Is(err, fs.ErrPermission):
		return refError(aisle.EINVALID, raw, "permission denied: the server cannot read this file")
	}
	// os.Root's refusals (a path that escaped meanwhile) and the rest.
	return notInRoot(raw, fmt.Errorf("photo: open: %w", err))
}

// fetchURL GETs r's URL.
func (f *Fetcher) fetchURL(ctx context.Context, r Ref) ([]byte, error) {
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	fctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(fctx, http.MethodGet, r.URL.String(), nil)
	if err != nil {
		return nil, refError(aisle.EINVALID, r.Raw, "not a valid URL")
	}
	req.Header.Set("Accept", "image/*, application/octet-stream;q=0.5")
	resp, err := f.httpClient().Do(req)
	if err != nil {
		return nil, fetchFailed(ctx, r.Raw, err)
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
		return nil, refError(code, r.Raw, "the server answered %s", resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); !imageContentType(ct) {
		return nil, refError(aisle.EINVALID, r.Raw, "the server sent %s, not a photo (is this the address of a web page rather than of the image itself?)", ct)
	}
	limit := f.maxBytes()
	if resp.ContentLength > limit {
		return nil, refError(aisle.ETOOLARGE, r.Raw, "the server announces %d bytes, over the limit of %d", resp.ContentLength, limit)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fetchFailed(ctx, r.Raw, err)
	}
	if int64(len(data)) > limit {
		return nil, refError(aisle.ETOOLARGE, r.Raw, "the server sent more than the limit of %d bytes", limit)
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
	case strings.HasPrefix(mt, "text/"), mt == "application/json", mt == "application/xhtml+xml":
		return false
	}
	return true
}

// fetchFailed describes an error fetching raw: ctx's own error when the
// caller's context ended; a bad redirect (a response from an allowed
// host) as such; anything else, whether the address was refused, the
// name did not resolve, the connection was refused or timed out, or TLS
// failed, as the same neutral *aisle.Error, the cause joined for the log.
func fetchFailed(ctx context.Context, raw string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("photo: fetch: %w", cerr)
	}
	var re *redirectError
	if errors.As(err, &re) {
		return errors.Join(refError(aisle.EINVALID, raw, "%s", re.msg), err)
	}
	return errors.Join(refError(aisle.EUNAVAILABLE, raw, "could not fetch the photo"), err)
}

// ErrRootNotFolder and ErrRootDenied are CheckRoot's errors.
var (
	ErrRootNotFolder = errors.New("not a folder")
	ErrRootDenied    = errors.New("inside a folder whose files are never read")
)

// CheckRoot checks a folder given as a Fetcher's Root before it is used:
// it must be a folder, and neither deny nor inside it (symlinks resolved
// in both; a deny that does not exist yet denies nothing).
func CheckRoot(root, deny string) error {
	fi, err := os.Stat(root)
	if err != nil || !fi.IsDir() {
		return ErrRootNotFolder
	}
	real, err := absReal(root)
	if err != nil {
		return fmt.Errorf("image folder: %w", err)
	}
	if d, err := absReal(deny); err == nil {
		if _, in := within(d, real); in {
			return ErrRootDenied
		}
	}
	return nil
}

// absReal returns p absolute, with every symlink resolved.
func absReal(p string) (string, error) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return filepath.Abs(real)
}
