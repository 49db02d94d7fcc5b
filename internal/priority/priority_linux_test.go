package priority

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// backgroundChild runs in a child process of TestRunInBackground: it moves
// to the background, starts threads, and prints each thread's scheduling
// policy and nice value from /proc (fields 41 and 19 of stat).
func backgroundChild() int {
	if err := Background(); err != nil {
		fmt.Println("error:", err)
		return 1
	}
	var wg sync.WaitGroup
	for range 8 { // busy goroutines make the runtime start threads
		wg.Go(func() {
			x := 0
			for i := range 2_000_000 {
				x += i
			}
			_ = x
		})
	}
	wg.Wait()
	stats, _ := filepath.Glob("/proc/self/task/*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// Fields after the parenthesised command name, which may hold spaces.
		fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		fmt.Printf("policy=%s nice=%s\n", fields[41-3], fields[19-3])
	}
	return 0
}

// TestMain lets the test binary act as the child of TestRunInBackground.
func TestMain(m *testing.M) {
	if os.Getenv("AISLE_TEST_BACKGROUND") != "" {
		os.Exit(backgroundChild())
	}
	os.Exit(m.Run())
}

func TestRunInBackground(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "AISLE_TEST_BACKGROUND=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 2 {
		t.Fatalf("child saw %d threads:\n%s", len(lines), out)
	}
	for _, l := range lines {
		if l != "policy=5 nice=19" {
			t.Errorf("thread %q, want SCHED_IDLE (5) at nice 19", l)
		}
	}
}
