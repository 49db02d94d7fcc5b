package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/sqlite"
)

// TestMain lets the test binary act as the aisle binary in a child process
// (AISLE_TEST_CHILD holds its arguments, one per line), so crash tests can
// SIGKILL a real server.
func TestMain(m *testing.M) {
	if os.Getenv("AISLE_TEST_BACKGROUND") != "" {
		os.Exit(backgroundChild())
	}
	if args := os.Getenv("AISLE_TEST_CHILD"); args != "" {
		os.Exit(run(context.Background(), strings.Split(args, "\n"), &env{stdout: os.Stdout, stderr: os.Stderr}))
	}
	os.Exit(m.Run())
}

// startChild runs "aisle args..." in a child process and returns it with
// the URL it serves.
func startChild(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "AISLE_TEST_CHILD="+strings.Join(args, "\n"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "aisle: serving "); ok {
				urls <- strings.Fields(rest)[0]
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case u := <-urls:
		return cmd, u
	case <-time.After(60 * time.Second):
		t.Fatalf("child did not start serving; stderr:\n%s", stderr.String())
	}
	return nil, ""
}

// TestCrashKeepsAcknowledgedEvents kills the server with SIGKILL while
// clients are posting events and checks that every event the server
// acknowledged is in the store afterwards.
func TestCrashKeepsAcknowledgedEvents(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(dir, "aisle.db"), sqlite.Options{})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	var items []aisle.Item
	for i := range 20 {
		items = append(items, aisle.Item{ID: fmt.Sprintf("item-%d", i), Title: fmt.Sprintf("Item %d", i)})
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	db.Close()

	child, url := startChild(t, "serve", "-data-dir", dir, "-addr", "127.0.0.1:0", "-log-level", "warn")

	var (
		mu    sync.Mutex
		acked []string
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for w := range 4 {
		wg.Go(func() {
			for b := 0; ; b++ {
				select {
				case <-stop:
					return
				default:
				}
				batch := make([]aisle.Event, 50)
				ids := make([]string, len(batch))
				for i := range batch {
					ids[i] = fmt.Sprintf("w%d-b%d-e%d", w, b, i)
					batch[i] = aisle.Event{ID: ids[i], User: fmt.Sprintf("u%d", i%9), Item: fmt.Sprintf("item-%d", (b+i)%20), Type: aisle.EventView}
				}
				body, _ := json.Marshal(map[string]any{"events": batch})
				resp, err := client.Post(url+"/v1/events", "application/json", bytes.NewReader(body))
				if err != nil {
					return // the server died under us
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					mu.Lock()
					acked = append(acked, ids...)
					mu.Unlock()
				}
			}
		})
	}
	// Let ingestion run, then kill the server mid-flight.
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 2000 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	close(stop)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no batch was acknowledged before the kill")
	}

	db = sqlite.NewDB(filepath.Join(dir, "aisle.db"), sqlite.Options{})
	if err := db.Open(ctx); err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer db.Close()
	stored := make(map[string]bool)
	for e, err := range db.Events(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		stored[e.ID] = true
	}
	var lost []string
	for _, id := range acked {
		if !stored[id] {
			lost = append(lost, id)
		}
	}
	if len(lost) > 0 {
		t.Fatalf("%d of %d acknowledged events lost after SIGKILL, e.g. %v", len(lost), len(acked), lost[:min(5, len(lost))])
	}
	t.Logf("%d acknowledged events all present after SIGKILL (%d stored in all)", len(acked), len(stored))

	// And the server starts again on the same data.
	_, url = startChild(t, "serve", "-data-dir", dir, "-addr", "127.0.0.1:0", "-log-level", "warn")
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz after restart = %d", resp.StatusCode)
	}
}
