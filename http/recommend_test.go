package http

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
)

func TestRecommend(t *testing.T) {
	e := newEnv(t, func(_ *Config, rec *fakeRecommender) {
		rec.recommend = func(ctx context.Context, user string, req aisle.RecommendRequest) ([]aisle.Recommendation, error) {
			return []aisle.Recommendation{
				{Item: "pen-2", Title: "Red pen", Score: 0.9, Models: []string{"cf"}, Reasons: []string{"Bought with Blue pen"}},
				{Item: "mug-1", Title: "Mug", Score: 0.5}, // nil models and reasons
			}[:min(req.N, 2)], nil
		}
	})
	e.seed()
	want := newList([]aisle.Recommendation{
		{Item: "pen-2", Title: "Red pen", Score: 0.9, Models: []string{"cf"}, Reasons: []string{"Bought with Blue pen"}},
		{Item: "mug-1", Title: "Mug", Score: 0.5, Models: []string{}, Reasons: []string{}},
	}, "")
	tests := []struct {
		path    string
		want    listResponse[aisle.Recommendation]
		request string // what the recommender was asked
	}{
		{"/v1/recommend/u1", want, "u1 n=10 exclude= bought=false"},
		{"/v1/recommend/nobody-yet", want, "nobody-yet n=10 exclude= bought=false"},
		{"/v1/recommend/u1?n=1&exclude=pen-1,paper-1&exclude=lamp-1&include_bought=true", newList(want.Items[:1], ""), "u1 n=1 exclude=pen-1,paper-1,lamp-1 bought=true"},
		{"/v1/recommend/u1?n=200&include_bought=false", want, "u1 n=200 exclude= bought=false"},
		{"/v1/recommend/a%2Fb?n=", want, "a/b n=10 exclude= bought=false"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			before := len(e.rec.Requests())
			got := decodeJSON[listResponse[aisle.Recommendation]](t, e.expect(http.StatusOK, "GET", tt.path, nil).body)
			if d := cmp.Diff(got, tt.want); d != "" {
				t.Errorf("recommendations (-got +want):\n%s", d)
			}
			reqs := e.rec.Requests()
			if d := cmp.Diff(reqs[before:], []string{tt.request}); d != "" {
				t.Errorf("recommender requests (-got +want):\n%s", d)
			}
		})
	}
}

func TestSimilar(t *testing.T) {
	e := newEnv(t, func(_ *Config, rec *fakeRecommender) {
		rec.similar = func(ctx context.Context, item string, n int) ([]aisle.Recommendation, error) {
			return []aisle.Recommendation{
				{Item: "pen-3", Title: "Black pen", Score: 2, Models: []string{"content"}, Reasons: []string{"Also a pen"}},
			}, nil
		}
	})
	e.seed()
	got := decodeJSON[listResponse[aisle.Recommendation]](t, e.expect(http.StatusOK, "GET", "/v1/items/pen-1/similar?n=5", nil).body)
	want := newList([]aisle.Recommendation{{Item: "pen-3", Title: "Black pen", Score: 2, Models: []string{"content"}, Reasons: []string{"Also a pen"}}}, "")
	if d := cmp.Diff(got, want); d != "" {
		t.Errorf("similar (-got +want):\n%s", d)
	}
	if d := cmp.Diff(e.rec.Requests(), []string{"similar pen-1 n=5"}); d != "" {
		t.Errorf("recommender requests (-got +want):\n%s", d)
	}
	e.expect(http.StatusNotFound, "GET", "/v1/items/nope/similar", nil)
	if n := len(e.rec.Requests()); n != 1 {
		t.Errorf("recommender asked about an unknown item")
	}
	e.expect(http.StatusOK, "GET", "/v1/items/pen-1/similar?mode=content&n=3", nil)
	e.expect(http.StatusOK, "GET", "/v1/items/pen-1/similar?mode=behavior", nil)
	if d := cmp.Diff(e.rec.Requests()[1:], []string{"content pen-1 n=3", "similar pen-1 n=10"}); d != "" {
		t.Errorf("recommender requests (-got +want):\n%s", d)
	}
	body := e.expect(http.StatusBadRequest, "GET", "/v1/items/pen-1/similar?mode=visual", nil).body
	if !strings.Contains(string(body), `"field":"mode"`) {
		t.Errorf("bad mode: %s, want an error naming mode", body)
	}
}

func TestRecommenderErrors(t *testing.T) {
	tests := []struct {
		name       string
		recommend  func(context.Context, string, aisle.RecommendRequest) ([]aisle.Recommendation, error)
		timeout    time.Duration
		wantStatus int
		wantCode   string
		wantMsg    string
		wantLog    string
	}{
		{
			name: "internal error is not sent",
			recommend: func(context.Context, string, aisle.RecommendRequest) ([]aisle.Recommendation, error) {
				return nil, errors.New("model file /var/secret/model.bin is corrupt")
			},
			wantStatus: http.StatusInternalServerError, wantCode: aisle.EINTERNAL, wantMsg: "internal error",
			wantLog: "model file /var/secret/model.bin is corrupt",
		},
		{
			name: "domain error passes through",
			recommend: func(context.Context, string, aisle.RecommendRequest) ([]aisle.Recommendation, error) {
				return nil, aisle.Errorf(aisle.EUNAVAILABLE, "model is still training")
			},
			wantStatus: http.StatusServiceUnavailable, wantCode: aisle.EUNAVAILABLE, wantMsg: "model is still training",
		},
		{
			name: "score that JSON cannot encode",
			recommend: func(context.Context, string, aisle.RecommendRequest) ([]aisle.Recommendation, error) {
				return []aisle.Recommendation{{Item: "pen-1", Score: math.NaN()}}, nil
			},
			wantStatus: http.StatusInternalServerError, wantCode: aisle.EINTERNAL, wantMsg: "internal error",
			wantLog: "encode response",
		},
		{
			name: "panic",
			recommend: func(context.Context, string, aisle.RecommendRequest) ([]aisle.Recommendation, error) {
				var m map[string]int
				m["boom"]++
				return nil, nil
			},
			wantStatus: http.StatusInternalServerError, wantCode: aisle.EINTERNAL, wantMsg: "internal error",
			wantLog: "assignment to entry in nil map",
		},
		{
			name: "request timeout",
			recommend: func(ctx context.Context, _ string, _ aisle.RecommendRequest) ([]aisle.Recommendation, error) {
				<-ctx.Done()
				return nil, ctx.Err()
			},
			timeout:    50 * time.Millisecond,
			wantStatus: http.StatusServiceUnavailable, wantCode: aisle.EUNAVAILABLE, wantMsg: "request took too long",
			wantLog: "context deadline exceeded",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(cfg *Config, rec *fakeRecommender) {
				cfg.RequestTimeout = tt.timeout
				rec.recommend = tt.recommend
			})
			e.seed()
			resp := e.expect(tt.wantStatus, "GET", "/v1/recommend/u1", nil)
			got := apiError(t, resp)
			if got.Code != tt.wantCode || !strings.Contains(got.Message, tt.wantMsg) {
				t.Errorf("error = %+v, want code %q and a message containing %q", got, tt.wantCode, tt.wantMsg)
			}
			if tt.wantCode == aisle.EINTERNAL && got.Message != "internal error" {
				t.Errorf("internal error message %q leaks details", got.Message)
			}
			if tt.wantLog != "" && !strings.Contains(e.logs.String(), tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, e.logs.String())
			}
			// The server still serves.
			e.expect(http.StatusOK, "GET", "/healthz", nil)
		})
	}
}
