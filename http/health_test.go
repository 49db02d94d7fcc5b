package http

import (
	"bufio"
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
)

func TestHealthz(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.expect(http.StatusOK, "GET", "/healthz", nil)
	if d := cmp.Diff(decodeJSON[healthStatus](t, resp.body), healthStatus{Status: "ok"}); d != "" {
		t.Errorf("(-got +want):\n%s", d)
	}
}

func TestReadyz(t *testing.T) {
	tests := []struct {
		name       string
		notReady   bool
		closeStore bool
		wantStatus int
		wantMsg    string
	}{
		{name: "ready", wantStatus: http.StatusOK},
		{name: "recommender not ready", notReady: true, wantStatus: http.StatusServiceUnavailable, wantMsg: "recommender is not ready"},
		{name: "store closed", closeStore: true, wantStatus: http.StatusServiceUnavailable, wantMsg: "store is not reachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.rec.notReady.Store(tt.notReady)
			if tt.closeStore {
				e.db.Close()
			}
			resp := e.expect(tt.wantStatus, "GET", "/readyz", nil)
			if tt.wantStatus == http.StatusOK {
				if d := cmp.Diff(decodeJSON[healthStatus](t, resp.body), healthStatus{Status: "ready"}); d != "" {
					t.Errorf("(-got +want):\n%s", d)
				}
				return
			}
			want := errorDetail{Code: aisle.EUNAVAILABLE, Message: tt.wantMsg}
			if d := cmp.Diff(apiError(t, resp), want); d != "" {
				t.Errorf("error (-got +want):\n%s", d)
			}
			if resp.header.Get("Retry-After") == "" {
				t.Errorf("503 without Retry-After")
			}
		})
	}
}

// scrape fetches /metrics and returns each sample's value by its series
// ("name{label=\"value\",...}"), labels in the exposition's order (sorted).
func scrape(t *testing.T, e *testEnv) map[string]float64 {
	t.Helper()
	resp := e.expect(http.StatusOK, "GET", "/metrics", nil)
	samples := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(resp.body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	return samples
}

func TestMetrics(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	e.expect(http.StatusOK, "GET", "/v1/items/pen-1", nil)
	e.expect(http.StatusOK, "GET", "/v1/items/pen-2", nil)
	e.expect(http.StatusNotFound, "GET", "/v1/items/nope", nil)
	e.expect(http.StatusOK, "POST", "/v1/events", `{"events":[{"user":"u9","item":"pen-1","type":"view"}]}`)
	e.expect(http.StatusNotFound, "GET", "/no/such/route", nil)

	got := scrape(t, e)
	want := map[string]float64{
		`aisle_http_requests_total{code="200",method="GET",route="/v1/items/{id}"}`: 2,
		`aisle_http_requests_total{code="404",method="GET",route="/v1/items/{id}"}`: 1,
		`aisle_http_requests_total{code="200",method="POST",route="/v1/events"}`:    1,
		`aisle_http_requests_total{code="404",method="GET",route="unmatched"}`:      1,
		`aisle_http_request_duration_seconds_count{route="/v1/items/{id}"}`:         3,
		`aisle_store_rows{kind="items"}`:                                            7,
		`aisle_store_rows{kind="users"}`:                                            3,
		`aisle_store_rows{kind="events"}`:                                           4,
		`aisle_store_rows{kind="questions"}`:                                        3,
	}
	for series, v := range want {
		if got[series] != v {
			t.Errorf("%s = %v, want %v", series, got[series], v)
		}
	}
}

func TestMetricsSharedRegistry(t *testing.T) {
	// Two servers on one registry count into the same metrics rather than
	// panicking on a duplicate registration.
	e := newEnv(t, nil)
	other := NewServer(e.db, e.rec, DefaultConfig(), nil, e.reg, nil)
	if other.metrics.requests != e.srv.metrics.requests {
		t.Errorf("second server got its own request counter")
	}
	// A nil registry keeps metrics private but still served.
	private := NewServer(e.db, e.rec, DefaultConfig(), nil, nil, nil)
	if private.metrics.gatherer == nil {
		t.Errorf("no gatherer for a nil registry")
	}
}
