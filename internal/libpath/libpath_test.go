package libpath

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCandidates(t *testing.T) {
	t.Setenv("AISLE_TEST_LIB", "")
	if got := Candidates("/x/lib.so", "AISLE_TEST_LIB", "lib/a.so"); len(got) != 1 || got[0] != "/x/lib.so" {
		t.Errorf("explicit: %v", got)
	}
	t.Setenv("AISLE_TEST_LIB", "/env/lib.so")
	if got := Candidates("", "AISLE_TEST_LIB", "lib/a.so"); len(got) != 1 || got[0] != "/env/lib.so" {
		t.Errorf("env: %v", got)
	}
	t.Setenv("AISLE_TEST_LIB", "")
	got := Candidates("", "AISLE_TEST_LIB", "lib/a.so")
	wd, _ := os.Getwd()
	want := map[string]bool{filepath.Join(wd, "lib/a.so"): false, filepath.Join(filepath.Dir(wd), "lib/a.so"): false, "/lib/a.so": false}
	for _, c := range got {
		if _, ok := want[c]; ok {
			want[c] = true
		}
	}
	for c, seen := range want {
		if !seen {
			t.Errorf("default candidates %v lack %s", got, c)
		}
	}
}
