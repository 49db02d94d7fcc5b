package flagvalue

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestList(t *testing.T) {
	var hosts []string
	var checked []string
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(List(&hosts, nil), "hosts", "")
	fs.Var(List(&checked, func(l []string) error {
		for _, s := range l {
			if strings.Contains(s, "/") {
				return errors.New("no slashes")
			}
		}
		return nil
	}), "checked", "")
	if hosts != nil || fs.Lookup("hosts").DefValue != "" {
		t.Fatalf("unset list %v shown as %q", hosts, fs.Lookup("hosts").DefValue)
	}
	if err := fs.Parse([]string{"-hosts", " a.example , ,b ", "-checked", "x,y"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(hosts, []string{"a.example", "b"}); diff != "" {
		t.Errorf("list (-got +want):\n%s", diff)
	}
	if got := fs.Lookup("hosts").Value.String(); got != "a.example,b" {
		t.Errorf("shown as %q", got)
	}
	if err := fs.Set("hosts", ""); err != nil || hosts == nil || len(hosts) != 0 {
		t.Errorf("empty value: %v %v, want an empty, non-nil list", hosts, err)
	}
	if err := fs.Set("checked", "x,y/z"); err == nil {
		t.Error("the check was not applied")
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{"1GiB": 1 << 30, "512M": 512 << 20, "4096": 4096, "64KiB": 64 << 10, "2G": 2 << 30, " 7 K": 7 << 10} {
		var b ByteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("%q: %d %v, want %d", in, b, err, want)
		}
	}
	for _, bad := range []string{"0", "-1", "lots", "12XiB", "", "1048577GiB"} {
		var b ByteSize
		if err := b.Set(bad); err == nil {
			t.Errorf("%q accepted as %d", bad, b)
		}
	}
	for n, want := range map[int64]string{256 << 20: "256MiB", 1 << 30: "1GiB", 3 << 10: "3KiB", 1000: "1000", 0: "0"} {
		b := ByteSize(n)
		if got := b.String(); got != want {
			t.Errorf("%d shown as %q, want %q", n, got, want)
		}
	}
}
