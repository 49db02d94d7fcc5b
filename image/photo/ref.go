package photo

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/aislehq/aisle"
)

// RefKind says what an image reference names.
type RefKind int

// The kinds of image reference.
const (
	// RefUpload is "sha256:<hash>" (aisle.UploadRef): a photo uploaded
	// through the API and kept by content hash.
	RefUpload RefKind = iota + 1
	// RefURL is an http:// or https:// URL.
	RefURL
	// RefFile is a file path, absolute or relative, or a file:// URL.
	RefFile
)

// String returns "upload", "url" or "file".
func (k RefKind) String() string {
	switch k {
	case RefUpload:
		return "upload"
	case RefURL:
		return "url"
	case RefFile:
		return "file"
	}
	return fmt.Sprintf("RefKind(%d)", int(k))
}

// Ref is an image reference, classified by ParseRef.
type Ref struct {
	// Kind says which of the fields below is set.
	Kind RefKind
	// Raw is the reference exactly as given; errors quote it.
	Raw string
	// URL is the parsed URL of a RefURL: scheme http or https, a host,
	// and no user information (ParseRef refuses URLs that carry
	// credentials, so none can be forwarded).
	URL *url.URL
	// Hash is the content hash of a RefUpload: 64 lower-case hex digits.
	Hash string
	// Path is the path of a RefFile as written (a file:// URL's path,
	// percent-decoded), cleaned by filepath.Clean: relative paths stay
	// relative and may start with "..". Whether it may be read is the
	// Fetcher's decision, not ParseRef's.
	Path string
}

// ParseRef classifies ref without any I/O: an upload reference
// ("sha256:" and 64 lower-case hex digits), an http(s) URL, or a file
// path (or a file:// URL on this host). It is safe for concurrent use.
//
// Its errors are *aisle.Error with code EINVALID whose message starts
// with the reference (`image "ftp://x/a.jpg": ...`) and says what is
// wrong: an empty reference, NUL or other control characters or invalid
// UTF-8, an upload reference that is not a content hash, a malformed URL
// or one without a host, a URL with user information (user:password@),
// a file URL naming another host, or a scheme other than http, https
// and file.
func ParseRef(ref string) (Ref, error) {
	r := Ref{Raw: ref}
	switch {
	case ref == "":
		return r, aisle.Errorf(aisle.EINVALID, "image reference is empty")
	case !utf8.ValidString(ref):
		return r, refError(aisle.EINVALID, ref, "not valid UTF-8")
	case strings.ContainsFunc(ref, isControl):
		return r, refError(aisle.EINVALID, ref, "contains a NUL or other control character")
	}
	lower := strings.ToLower(ref)
	switch {
	case strings.HasPrefix(lower, aisle.UploadRefPrefix):
		hash, ok := aisle.ParseUploadRef(ref)
		if !ok {
			return r, refError(aisle.EINVALID, ref, "not an upload reference: want %s and 64 lower-case hex digits", aisle.UploadRefPrefix)
		}
		r.Kind, r.Hash = RefUpload, hash
		return r, nil
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		u, err := url.Parse(ref)
		if err != nil {
			return r, refError(aisle.EINVALID, ref, "not a valid URL")
		}
		switch {
		case u.User != nil:
			return r, refError(aisle.EINVALID, ref, "URLs with credentials (user:password@) are not accepted: they would be sent to the host and kept in the catalog")
		case u.Hostname() == "":
			return r, refError(aisle.EINVALID, ref, "not a valid URL: no host")
		}
		u.Scheme = strings.ToLower(u.Scheme)
		r.Kind, r.URL = RefURL, u
		return r, nil
	case strings.HasPrefix(lower, "file:"):
		u, err := url.Parse(ref)
		if err != nil {
			return r, refError(aisle.EINVALID, ref, "not a valid file URL")
		}
		if u.Host != "" && !strings.EqualFold(u.Host, "localhost") {
			return r, refError(aisle.EINVALID, ref, "file URLs on other hosts (%q) are not supported", u.Host)
		}
		if u.User != nil {
			return r, refError(aisle.EINVALID, ref, "not a valid file URL")
		}
		p := u.Path
		if u.Opaque != "" { // file:rel/a.jpg
			if p, err = url.PathUnescape(u.Opaque); err != nil {
				return r, refError(aisle.EINVALID, ref, "not a valid file URL")
			}
		}
		return fileRef(r, p)
	case strings.HasPrefix(lower, "data:"):
		return r, refError(aisle.EINVALID, ref, "data: URLs are not supported: upload the photo (PUT /v1/items/{id}/image) or give its http(s) URL")
	case strings.Contains(ref, "://"):
		scheme, _, _ := strings.Cut(ref, "://")
		return r, refError(aisle.EINVALID, ref, "scheme %q is not supported: use http(s) URLs, file paths or uploads (sha256:<hash>)", scheme)
	}
	return fileRef(r, ref)
}

// fileRef completes r as a RefFile for path p.
func fileRef(r Ref, p string) (Ref, error) {
	switch {
	case p == "":
		return r, refError(aisle.EINVALID, r.Raw, "no file path")
	case strings.ContainsFunc(p, isControl):
		return r, refError(aisle.EINVALID, r.Raw, "contains a NUL or other control character")
	}
	r.Kind, r.Path = RefFile, filepath.Clean(p)
	return r, nil
}

// isControl reports whether c is a C0 or C1 control character or DEL;
// no file name or URL of a photo holds one.
func isControl(c rune) bool { return c < 0x20 || c >= 0x7f && c < 0xa0 }

// refError is an *aisle.Error about image reference ref.
func refError(code, ref, format string, args ...any) *aisle.Error {
	return aisle.Errorf(code, "image %q: %s", ref, fmt.Sprintf(format, args...))
}
