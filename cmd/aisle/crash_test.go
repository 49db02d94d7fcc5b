package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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
	"github.com/aislehq/aisle/store/sqlite"
	"go.uber.org/goleak"
)

// TestMain lets the test binary act as the aisle binary in a child process
// (AISLE_TEST_CHILD holds its arguments, one per line), so crash tests can
// SIGKILL a real server. Otherwise it runs the tests and fails the run if
// one leaves a goroutine behind (a server's, a photo worker's or a
// classifier poll's).
func TestMain(m *testing.M) {
	if args := os.Getenv("AISLE_TEST_CHILD"); args != "" {
		os.Exit(run(context.Background(), strings.Split(args, "\n"), &env{stdout: os.Stdout, stderr: os.Stderr}))
	}
	goleak.VerifyTestMain(m)
}

// childCommand returns the command that runs "aisle args..." in a child
// process (TestMain).
func childCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "AISLE_TEST_CHILD="+strings.Join(args, "\n"))
	return cmd
}

// startChild runs "aisle args..." in a child process and returns it with
// the URL it serves.
func startChild(t testing.TB, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := childCommand(args...)
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

// reopenAfterKill opens the database at path again once its server was
// killed, until the test ends, and returns it with the acknowledged
// events it lacks and the number of events it holds.
func reopenAfterKill(t *testing.T, path string, acked []string) (db *sqlite.DB, lost []string, stored int) {
	t.Helper()
	ctx := context.Background()
	db = sqlite.NewDB(path, nil, sqlite.Options{})
	if err := db.Open(ctx); err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	ids := map[string]bool{}
	for e, err := range db.Events(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		ids[e.ID] = true
	}
	for _, id := range acked {
		if !ids[id] {
			lost = append(lost, id)
		}
	}
	return db, lost, len(ids)
}

// TestCrashKeepsAcknowledgedEvents kills the server with SIGKILL while
// clients are posting events and checks that every event the server
// acknowledged is in the store afterwards.
func TestCrashKeepsAcknowledgedEvents(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(dir, "aisle.db"), nil, sqlite.Options{})
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

	_, lost, stored := reopenAfterKill(t, filepath.Join(dir, "aisle.db"), acked)
	if len(lost) > 0 {
		t.Fatalf("%d of %d acknowledged events lost after SIGKILL, e.g. %v", len(lost), len(acked), lost[:min(5, len(lost))])
	}
	t.Logf("%d acknowledged events all present after SIGKILL (%d stored in all)", len(acked), stored)

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

// runChild runs "aisle args..." in a child process to its end and
// returns its output and exit status.
func runChild(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := childCommand(args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// inode returns the inode number of the file at path, 0 when there is
// none.
func inode(path string) uint64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// TestCrashPhotoOfDatabaseKeepsWrites is security finding 1: an item
// whose photo is the server's own database file. Reading it would open
// and close the database through a descriptor SQLite does not know of,
// which drops the process's POSIX locks on it; another process's
// ordinary open and close of the database then finds itself the last
// user, checkpoints and deletes the live WAL, and whatever the server
// acknowledges afterwards goes to a deleted file, lost at the next
// crash. The server reads photos inside an image folder that holds the
// data directory, items name the data directory's files every way there
// is (absolute, relative, file://, through a symlink, a hard link), in
// the server and in an aisle import into the live data directory; then
// this process opens and closes the database, events and users are
// posted, the server is killed, and every acknowledged write must be
// there, with the WAL never deleted.
func TestCrashPhotoOfDatabaseKeepsWrites(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir() // the image folder
	dir := filepath.Join(base, "data")
	dbPath := filepath.Join(dir, "aisle.db")
	db := sqlite.NewDB(dbPath, nil, sqlite.Options{})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dbPath, filepath.Join(base, "photo-link.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(dbPath, filepath.Join(base, "photo-hard.jpg")); err != nil {
		t.Fatal(err)
	}
	refs := func(dir string) []string {
		return []string{
			filepath.Join(dir, "aisle.db"), filepath.Join(dir, "aisle.db-wal"), filepath.Join(dir, "aisle.db-shm"),
			"data/aisle.db", "./data/../data/aisle.db-shm", "file://" + filepath.Join(dir, "aisle.db"),
			"photo-link.jpg", "photo-hard.jpg", filepath.Join(dir, "vocabulary.json"), filepath.Join(dir, "images"),
		}
	}
	var items []aisle.Item
	for i := range 20 {
		items = append(items, aisle.Item{ID: fmt.Sprintf("item-%d", i), Title: fmt.Sprintf("Item %d", i)})
	}
	for i, ref := range refs(dir) {
		items[i].Images = []string{ref}
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// The server reads the pending photos as it starts.
	child, url := startChild(t, "serve", "-data-dir", dir, "-addr", "127.0.0.1:0", "-log-level", "error",
		"-image-model", "none", "-image-files", "-image-root", base)
	wal := inode(dbPath + "-wal")
	if wal == 0 {
		t.Fatal("the server runs without a WAL")
	}
	walKept := func(when string) {
		t.Helper()
		if got := inode(dbPath + "-wal"); got != wal {
			t.Errorf("%s, the WAL was deleted under the live server (inode %d, now %d): the server's locks on the database were dropped", when, wal, got)
			wal = got
		}
	}
	client := &http.Client{Timeout: 10 * time.Second}
	getItem := func(id string) aisle.Item {
		t.Helper()
		resp, err := client.Get(url + "/v1/items/" + id)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var it aisle.Item
		if err := json.NewDecoder(resp.Body).Decode(&it); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET item %s: %d %v", id, resp.StatusCode, err)
		}
		return it
	}
	wantRefused := func(it aisle.Item) {
		t.Helper()
		if it.Visual == nil || !strings.Contains(it.Visual.Error, "file paths outside the image folder are not read") {
			t.Errorf("item %s (%s): visual %+v, want its photo refused", it.ID, it.Images[0], it.Visual)
		}
	}
	for i := range refs(dir) {
		id := items[i].ID
		for deadline := time.Now().Add(30 * time.Second); getItem(id).Visual == nil; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the server did not read %s's photo", id)
			}
		}
		wantRefused(getItem(id))
	}

	// aisle import into the live data directory, its items file in the
	// image folder: it reads the photos itself, in its own process.
	var jsonl bytes.Buffer
	for i, ref := range refs(dir) {
		b, _ := json.Marshal(aisle.Item{ID: fmt.Sprintf("imported-%d", i), Title: "Imported", Images: []string{ref}})
		jsonl.Write(append(b, '\n'))
	}
	itemsFile := filepath.Join(base, "items.jsonl")
	if err := os.WriteFile(itemsFile, jsonl.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := runChild(t, "import", "-data-dir", dir, "-image-model", "none", "-log-level", "error", itemsFile); code != 0 {
		t.Fatalf("aisle import: exit %d\n%s%s", code, out, errOut)
	}
	for i := range refs(dir) {
		wantRefused(getItem(fmt.Sprintf("imported-%d", i)))
	}
	walKept("after aisle import")

	// Another process opens and closes the database the ordinary way.
	raw, err := sql.Open("sqlite3", "file:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM items").Scan(&n); err != nil || n != 30 {
		t.Fatalf("count items: %d, %v", n, err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	walKept("after another process opened and closed the database")

	// Writes acknowledged from now on must survive a crash.
	var ackedEvents, ackedUsers []string
	for b := range 20 {
		batch := make([]aisle.Event, 10)
		ids := make([]string, len(batch))
		for i := range batch {
			ids[i] = fmt.Sprintf("after-b%d-e%d", b, i)
			batch[i] = aisle.Event{ID: ids[i], User: fmt.Sprintf("u%d", i), Item: fmt.Sprintf("item-%d", (b+i)%20), Type: aisle.EventView}
		}
		body, _ := json.Marshal(map[string]any{"events": batch})
		if resp, err := client.Post(url+"/v1/events", "application/json", bytes.NewReader(body)); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ackedEvents = append(ackedEvents, ids...)
			}
		}
		user := fmt.Sprintf("shopper-%d", b)
		req, _ := http.NewRequest(http.MethodPut, url+"/v1/users/"+user, strings.NewReader(`{"attributes":{"tier":"gold"}}`))
		req.Header.Set("Content-Type", "application/json")
		if resp, err := client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated {
				ackedUsers = append(ackedUsers, user)
			}
		}
	}
	if len(ackedEvents) == 0 || len(ackedUsers) == 0 {
		t.Fatalf("%d events and %d users acknowledged; want some of each", len(ackedEvents), len(ackedUsers))
	}
	walKept("after the writes")

	// Crash, reopen, and look for every acknowledged write.
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	db, lost, _ := reopenAfterKill(t, dbPath, ackedEvents)
	for _, id := range ackedUsers {
		if _, err := db.User(ctx, id); err != nil {
			lost = append(lost, "user "+id)
		}
	}
	if len(lost) > 0 {
		t.Fatalf("%d of %d acknowledged writes lost after SIGKILL, e.g. %v", len(lost), len(ackedEvents)+len(ackedUsers), lost[:min(5, len(lost))])
	}
	t.Logf("%d events and %d users acknowledged, all present after SIGKILL; the WAL was never deleted", len(ackedEvents), len(ackedUsers))
}
