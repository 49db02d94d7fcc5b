package photo

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
)

func TestParseRef(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	tests := []struct {
		ref  string
		kind RefKind
		// want is the URL, hash or path parsed; for errors, part of the
		// message.
		want string
	}{
		{"sha256:" + hash, RefUpload, hash},
		{"http://example.com/a.jpg", RefURL, "http://example.com/a.jpg"},
		{"HTTPS://Example.com:8443/a%20b.jpg?x=1", RefURL, "https://Example.com:8443/a%20b.jpg?x=1"},
		{"https://[2001:db8::1]/a.jpg", RefURL, "https://[2001:db8::1]/a.jpg"},
		{"/photos/a.jpg", RefFile, "/photos/a.jpg"},
		{"photos/../a.jpg", RefFile, "a.jpg"},
		{"../up/a.jpg", RefFile, "../up/a.jpg"},
		{"file:///photos/a%20b.jpg", RefFile, "/photos/a b.jpg"},
		{"file://localhost/photos/a.jpg", RefFile, "/photos/a.jpg"},
		{"file:rel/a.jpg", RefFile, "rel/a.jpg"},

		{"", 0, "image reference is empty"},
		{"a\x00b.jpg", 0, "control character"},
		{"http://example.com/a\nb.jpg", 0, "control character"},
		{"\xff\xfe.jpg", 0, "not valid UTF-8"},
		{"sha256:" + strings.ToUpper(hash), 0, "not an upload reference"},
		{"sha256:../../etc/passwd", 0, "not an upload reference"},
		{"http://user:secret@example.com/a.jpg", 0, "credentials"},
		{"http://user@example.com/a.jpg", 0, "credentials"},
		{"http:///a.jpg", 0, "no host"},
		{"http://:80/a.jpg", 0, "no host"},
		{"http://exa mple.com/a.jpg", 0, "not a valid URL"},
		{"http://[::1/a.jpg", 0, "not a valid URL"},
		{"ftp://example.com/a.jpg", 0, `scheme "ftp" is not supported`},
		{"gopher://127.0.0.1:6379/_FLUSHALL", 0, `scheme "gopher" is not supported`},
		{"file://server/share/a.jpg", 0, `file URLs on other hosts ("server")`},
		{"file://", 0, "no file path"},
		{"data:text/plain", 0, "data: URLs are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			r, err := ParseRef(tt.ref)
			if tt.kind == 0 {
				if aisle.ErrorCode(err) != aisle.EINVALID || !strings.Contains(aisle.ErrorMessage(err), tt.want) {
					t.Fatalf("got %+v, %v; want EINVALID saying %q", r, err, tt.want)
				}
				if tt.ref != "" && !strings.HasPrefix(aisle.ErrorMessage(err), fmt.Sprintf("image %q: ", tt.ref)) {
					t.Errorf("message %q does not quote the reference", aisle.ErrorMessage(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got string
			switch r.Kind {
			case RefUpload:
				got = r.Hash
			case RefURL:
				got = r.URL.String()
			case RefFile:
				got = r.Path
			}
			if r.Kind != tt.kind || got != tt.want || r.Raw != tt.ref {
				t.Errorf("got %v %q (raw %q), want %v %q", r.Kind, got, r.Raw, tt.kind, tt.want)
			}
		})
	}
}

func FuzzParseRef(f *testing.F) {
	for _, seed := range []string{
		"sha256:" + strings.Repeat("0f", 32), "SHA256:" + strings.Repeat("0F", 32), "sha256:",
		"http://example.com/a.jpg", "https://u:p@example.com/a.jpg", "HTTP://[::ffff:127.0.0.1]:80/x",
		"http://169.254.169.254/latest/meta-data/", "http://%zz/", "https://example.com:99999/",
		"file:///etc/passwd", "file://localhost/a.jpg", "file:a%00b", "file://h/x", "file:",
		"/abs/a.jpg", "rel/../../a.jpg", ".", "..", "a\x00b", "data:image/png;base64,AAAA",
		"gopher://x", "://", "http:/a", "\x7f", "héllo.jpg",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		r, err := ParseRef(ref)
		if err != nil {
			if code := aisle.ErrorCode(err); code != aisle.EINVALID {
				t.Fatalf("code %q: %v", code, err)
			}
			return
		}
		if r.Raw != ref {
			t.Fatalf("Raw %q, want %q", r.Raw, ref)
		}
		switch r.Kind {
		case RefUpload:
			if !aisle.IsContentHash(r.Hash) || r.URL != nil || r.Path != "" {
				t.Fatalf("upload %+v", r)
			}
		case RefURL:
			u := r.URL
			if u == nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Hostname() == "" {
				t.Fatalf("URL %+v", u)
			}
			if strings.ContainsFunc(u.String(), isControl) {
				t.Fatalf("URL %q holds a control character", u.String())
			}
		case RefFile:
			if r.Path == "" || strings.ContainsFunc(r.Path, isControl) || r.URL != nil {
				t.Fatalf("file %+v", r)
			}
		default:
			t.Fatalf("kind %v", r.Kind)
		}
	})
}
