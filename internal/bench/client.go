package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/aislehq/aisle/internal/loadgen"
)

// client sends load phases' requests to a server; any status but 200 is
// an error.
type client struct {
	c    *http.Client
	base string
}

// newClient returns a client of the server at base. Its idle connections
// are closed by close. It keeps as many idle connections as the open
// loop has requests in flight, so a backlog does not end in closing and
// reopening connections.
func newClient(base string) *client {
	return &client{&http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}, Timeout: 30 * time.Second}, base}
}

// get GETs path.
func (b *client) get(ctx context.Context, path string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	return b.do(req)
}

// post POSTs a JSON body to path.
func (b *client) post(ctx context.Context, path string, body []byte) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, b.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return b.do(req)
}

func (b *client) do(req *http.Request) error {
	resp, err := b.c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return nil
}

// close closes the client's idle connections, ending their goroutines.
func (b *client) close() { b.c.CloseIdleConnections() }

// drawUsers returns 65,536 users drawn at random from users, the same for
// the same seeds, for load phases to request in turn.
func drawUsers(users []string, seed1, seed2 uint64) []string {
	rng := rand.New(rand.NewPCG(seed1, seed2))
	picks := make([]string, 1<<16)
	for i := range picks {
		picks[i] = users[rng.IntN(len(users))]
	}
	return picks
}

// phaseErr is the error of a load phase that completed no request or
// had requests fail.
func phaseErr(name string, r loadgen.Result) error {
	if r.Requests == 0 {
		return fmt.Errorf("%s phase completed no request", name)
	}
	if r.Errors > 0 {
		return fmt.Errorf("%s phase: %d of %d requests failed, first: %w", name, r.Errors, r.Requests, r.FirstError)
	}
	return nil
}

// idsInStore returns the distinct user and item ids of the event log.
func idsInStore(ctx context.Context, db Store) (users, items []string, err error) {
	seenU, seenI := map[string]bool{}, map[string]bool{}
	for e, err := range db.Events(ctx, 0) {
		if err != nil {
			return nil, nil, err
		}
		if !seenU[e.User] {
			seenU[e.User] = true
			users = append(users, e.User)
		}
		if e.Item != "" && !seenI[e.Item] {
			seenI[e.Item] = true
			items = append(items, e.Item)
		}
	}
	if len(users) == 0 || len(items) == 0 {
		return nil, nil, fmt.Errorf("no events to draw users and items from")
	}
	return users, items, nil
}

// whileTraining runs h.TrainProcess's command and calls phase with 0, 1,
// … until it exits; it returns the training's wall time. The child's
// output is discarded unless it fails.
func whileTraining(ctx context.Context, h Harness, phase func(r int) error) (float64, error) {
	cmd, err := h.TrainProcess(ctx)
	if err != nil {
		return 0, err
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for r := 0; ; r++ {
		select {
		case err := <-exited:
			if err != nil {
				return 0, fmt.Errorf("aisle train: %w\n%s", err, out.Bytes())
			}
			if r == 0 {
				return 0, fmt.Errorf("aisle train finished before any load phase ran")
			}
			return time.Since(start).Seconds(), nil
		default:
		}
		if err := phase(r); err != nil {
			cmd.Process.Kill()
			<-exited
			return 0, err
		}
	}
}
