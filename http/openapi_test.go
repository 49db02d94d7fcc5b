package http

import (
	"context"
	"encoding/json"
	"image/color"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
)

func TestOpenAPIDocumentIsValid(t *testing.T) {
	if _, err := loadSpec(); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
}

// TestOpenAPIRoutes checks that the routes table and the document list the
// same operations.
func TestOpenAPIRoutes(t *testing.T) {
	doc, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	var served []string
	for _, rt := range NewServer(nil, nil, Config{}, nil, nil, nil).routes() {
		served = append(served, rt.pattern)
	}
	slices.Sort(documented)
	slices.Sort(served)
	if d := cmp.Diff(served, documented); d != "" {
		t.Errorf("routes served differ from those documented (-got +want):\n%s", d)
	}
}

// TestOpenAPIResponses sends, for every operation, a request that
// succeeds and one that fails (where the operation documents a client
// error), and checks each response against the document.
func TestOpenAPIResponses(t *testing.T) {
	e := newEnv(t, func(_ *Config, rec *fakeRecommender) {
		recs := func() []aisle.Recommendation {
			return []aisle.Recommendation{{Item: "pen-2", Score: 0.5, Models: []string{"cf"}, Reasons: []string{"Popular"}}, {Item: "mug-1", Score: 0.25}}
		}
		rec.recommend = func(context.Context, string, aisle.RecommendRequest) ([]aisle.Recommendation, error) {
			return recs(), nil
		}
		rec.similar = func(context.Context, string, int) ([]aisle.Recommendation, error) { return recs(), nil }
	})
	e.seedSearch()
	requests := []struct {
		method, path string
		body         string
		status       int
	}{
		{"GET", "/healthz", "", 200},
		{"GET", "/readyz", "", 200},
		{"GET", "/metrics", "", 200},
		{"GET", "/v1/openapi.json", "", 200},
		{"GET", "/v1/items?limit=2", "", 200},
		{"GET", "/v1/items?limit=0", "", 400},
		{"POST", "/v1/items", `{"items":[{"id":"new-1","title":"New","price":2,"currency":"USD"}]}`, 200},
		{"POST", "/v1/items", `{}`, 400},
		{"GET", "/v1/items/pen-1", "", 200},
		{"GET", "/v1/items/nope", "", 404},
		{"PUT", "/v1/items/new-2", `{"title":"New 2","categories":["A","B"],"attributes":{"k":"v"},"images":["https://img.example/x.jpg"]}`, 201},
		{"PUT", "/v1/items/new-2", `{"title":"New 2, again"}`, 200},
		{"PUT", "/v1/items/new-2", `{"id":"other"}`, 422},
		{"DELETE", "/v1/items/mug-2", "", 204},
		{"DELETE", "/v1/items/nope", "", 404},
		{"GET", "/v1/items/pen-1/questions", "", 200},
		{"GET", "/v1/items/nope/questions", "", 404},
		{"GET", "/v1/items/pen-1/similar?n=2", "", 200},
		{"GET", "/v1/items/nope/similar", "", 404},
		{"POST", "/v1/items/pen-1/copy", `{"user":"u1","lang":"zh","style":"bullet","max_words":50}`, 200},
		{"POST", "/v1/items/pen-1/copy", `{"style":"long"}`, 400},
		{"POST", "/v1/items/pen-1/ask", `{"question":"What brand is it?","lang":"en"}`, 200},
		{"POST", "/v1/items/pen-1/ask", `{"question":""}`, 400},
		{"POST", "/v1/chat", `{"message":"I need a pen","user":"u1"}`, 200},
		{"POST", "/v1/chat", `{"message":""}`, 400},
		{"POST", "/v1/chat/completions", `{"model":"aisle-assistant","messages":[{"role":"user","content":"I need a pen"}],"user":"u1"}`, 200},
		{"POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"pens"}]}`, 404},
		{"GET", "/v1/models", "", 200},
		{"GET", "/v1/chat/nope", "", 404},
		{"DELETE", "/v1/chat/nope", "", 404},
		{"GET", "/v1/items/pen-1/caption", "", 422},
		{"GET", "/v1/items/nope/caption", "", 404},
		{"GET", "/v1/users/u1", "", 200},
		{"GET", "/v1/users/nobody", "", 404},
		{"PUT", "/v1/users/u9", `{"attributes":{"a":"b"}}`, 201},
		{"PUT", "/v1/users/u9", `{"attributes":"b"}`, 400},
		{"DELETE", "/v1/users/u2", "", 204},
		{"DELETE", "/v1/users/nobody", "", 404},
		{"POST", "/v1/events", `{"events":[{"user":"u1","item":"pen-2","type":"click"}]}`, 200},
		{"POST", "/v1/events", `{"events":[{"user":"u1","item":"nope","type":"click"}]}`, 422},
		{"GET", "/v1/recommend/u1?n=5&exclude=pen-1", "", 200},
		{"GET", "/v1/recommend/u1?n=0", "", 400},
		{"POST", "/v1/cart/recommend", `{"items":["pen-1"],"user":"u1","n":3,"max_price":10}`, 200},
		{"POST", "/v1/cart/recommend", `{"items":["nope"]}`, 400},
		{"GET", "/v1/search?q=pen&user=u1&n=2", "", 200},
		{"GET", "/v1/search?q=", "", 400},
		{"GET", "/v1/users/u1/events?limit=1", "", 200},
		{"GET", "/v1/users/nobody/events", "", 404},
		{"GET", "/v1/users/u1/profile?lang=zh", "", 200},
		{"GET", "/v1/users/u1/profile?lang=fr", "", 400},
		{"DELETE", "/v1/users/u1/profile/interests/brand%3AAcme", "", 204},
		{"DELETE", "/v1/users/u1/profile/interests/size%3AXL", "", 400},
		{"GET", "/v1/audit?limit=10", "", 200},
		{"GET", "/v1/audit?limit=0", "", 400},
		{"GET", "/v1/keys", "", 200},
		{"POST", "/v1/keys", `{"role":"root"}`, 400},
		{"PUT", "/v1/rules/sale", `{"action":"pin","position":1,"match":{"items":["pen-2"]},"ends_at":"2030-01-01T00:00:00Z"}`, 201},
		{"PUT", "/v1/rules/sale", `{"action":"boost","strength":3,"match":{"brands":["Acme"],"min_price":1}}`, 200},
		{"PUT", "/v1/rules/sale", `{"action":"pin","match":{"brands":["Acme"]}}`, 400},
		{"GET", "/v1/rules", "", 200},
		{"GET", "/v1/rules/sale", "", 200},
		{"GET", "/v1/rules/nope", "", 404},
		{"DELETE", "/v1/rules/sale", "", 204},
		{"DELETE", "/v1/rules/sale", "", 404},
	}
	for _, r := range requests {
		var body any
		if r.body != "" {
			body = r.body
		}
		e.expect(r.status, r.method, r.path, body)
	}
	chat := decodeJSON[struct{ Session string }](t, e.expect(http.StatusOK, "POST", "/v1/chat", `{"message":"a mug please"}`).body)
	e.expect(http.StatusOK, "GET", "/v1/chat/"+chat.Session, nil)
	e.expect(http.StatusNoContent, "DELETE", "/v1/chat/"+chat.Session, nil)
	e.enablePhotos()
	red := pngOf(t, color.RGBA{200, 0, 0, 255})
	it := decodeJSON[aisle.Item](t, e.expect(http.StatusOK, "PUT", "/v1/items/pen-1/image", red, "Content-Type", "image/png").body)
	e.expect(http.StatusBadRequest, "PUT", "/v1/items/pen-1/image", "not a photo", "Content-Type", "image/png")
	e.expect(http.StatusOK, "GET", "/v1/items/pen-1/image", nil)
	e.expect(http.StatusOK, "GET", "/v1/items/pen-1/caption?lang=zh", nil)
	e.expect(http.StatusNotFound, "GET", "/v1/items/nope/image", nil)
	e.expect(http.StatusOK, "GET", "/v1/images/"+it.Visual.Image, nil)
	e.expect(http.StatusBadRequest, "GET", "/v1/images/not-a-hash", nil)
	e.srv.SetVideos(pngVideos{e.photoReader()})
	e.expect(http.StatusOK, "PUT", "/v1/items/pen-2/video", red, "Content-Type", "video/mp4")
	e.expect(http.StatusUnsupportedMediaType, "PUT", "/v1/items/pen-2/video", "not a video", "Content-Type", "video/mp4")
	e.srv.SetPhotoEncoder(photoVectors)
	e.expect(http.StatusOK, "POST", "/v1/search/image?q=pen", []byte("pen-1"), "Content-Type", "image/jpeg")
	e.expect(http.StatusBadRequest, "POST", "/v1/search/image", []byte("corrupt"), "Content-Type", "image/jpeg")
	// Keys last: the first one ends open access.
	created := decodeJSON[newKeyResponse](t, e.expect(http.StatusCreated, "POST", "/v1/keys", `{"role":"admin","name":"ops"}`).body)
	auth := []string{"Authorization", "Bearer " + created.Secret}
	e.expect(http.StatusUnauthorized, "GET", "/v1/keys", nil)
	e.expect(http.StatusUnauthorized, "GET", "/v1/rules", nil)
	e.expect(http.StatusUnauthorized, "GET", "/v1/models", nil)
	e.expect(http.StatusUnauthorized, "GET", "/v1/openapi.json", nil)
	e.expect(http.StatusOK, "GET", "/v1/openapi.json", nil, auth...)
	e.expect(http.StatusUnauthorized, "GET", "/metrics", nil)
	e.expect(http.StatusOK, "GET", "/metrics", nil, auth...)
	e.expect(http.StatusNotFound, "DELETE", "/v1/keys/nope", nil, auth...)
	e.expect(http.StatusNoContent, "DELETE", "/v1/keys/"+created.ID, nil, auth...)
	e.rec.notReady.Store(true)
	e.expect(http.StatusServiceUnavailable, "GET", "/readyz", nil)

	doc, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	checked := e.spec.Checked()
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			var wantError bool
			for code := range op.Responses.Map() {
				wantError = wantError || (code >= "4" && code != "500")
			}
			var gotSuccess, gotError bool
			for status := range checked[name] {
				gotSuccess = gotSuccess || status < 300
				gotError = gotError || status >= 400
			}
			if !gotSuccess {
				t.Errorf("%s: no successful response checked against the document", name)
			}
			if wantError && !gotError {
				t.Errorf("%s: no error response checked against the document", name)
			}
		}
	}
}

func TestServeOpenAPI(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.expect(http.StatusOK, "GET", "/v1/openapi.json", nil)
	if string(resp.body) != string(openAPI) {
		t.Errorf("served document differs from openapi.json")
	}
	if ct := resp.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}

// TestOpenAPILimits checks that the limits the document states are the
// ones the code enforces.
func TestOpenAPILimits(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	const schemas = "/components/schemas/"
	tests := []struct {
		pointer string
		want    any
	}{
		{"/x-limits/maxBodyBytes", cfg.MaxBodyBytes},
		{"/x-limits/maxBatch", cfg.MaxBatch},
		{"/x-limits/defaultN", aisle.DefaultN},
		{"/x-limits/maxN", aisle.MaxN},
		{"/x-limits/defaultLimit", defaultListLimit},
		{"/x-limits/maxLimit", maxListLimit},
		{"/components/parameters/N/schema/default", aisle.DefaultN},
		{"/components/parameters/N/schema/maximum", aisle.MaxN},
		{"/components/parameters/Limit/schema/default", defaultListLimit},
		{"/components/parameters/Limit/schema/maximum", maxListLimit},
		{"/components/parameters/Category/schema/maxLength", aisle.MaxCategoryBytes},
		{"/components/parameters/Brand/schema/maxLength", aisle.MaxBrandBytes},
		{"/components/parameters/Exclude/schema/maxItems", cfg.MaxBatch},
		{schemas + "ID/maxLength", aisle.MaxIDBytes},
		{schemas + "Attributes/maxProperties", aisle.MaxAttributes},
		{schemas + "Attributes/additionalProperties/maxLength", aisle.MaxAttrValueBytes},
		{schemas + "ItemInput/properties/title/maxLength", aisle.MaxTitleBytes},
		{schemas + "ItemInput/properties/description/maxLength", aisle.MaxDescriptionBytes},
		{schemas + "ItemInput/properties/brand/maxLength", aisle.MaxBrandBytes},
		{schemas + "ItemInput/properties/categories/maxItems", aisle.MaxCategoryDepth},
		{schemas + "ItemInput/properties/categories/items/maxLength", aisle.MaxCategoryBytes},
		{schemas + "ItemInput/properties/images/maxItems", aisle.MaxImages},
		{schemas + "ItemInput/properties/images/items/maxLength", aisle.MaxImageRefBytes},
		{schemas + "ItemBatch/properties/items/maxItems", cfg.MaxBatch},
		{schemas + "EventBatch/properties/events/maxItems", cfg.MaxBatch},
		{schemas + "Event/properties/query/maxLength", aisle.MaxQueryBytes},
		{schemas + "Event/properties/name/maxLength", aisle.MaxNameBytes},
		{schemas + "Event/properties/value/minimum", aisle.MinRating},
		{schemas + "Event/properties/value/maximum", aisle.MaxRating},
		{schemas + "Event/properties/context/maxProperties", aisle.MaxContext},
		{schemas + "Event/properties/context/additionalProperties/maxLength", aisle.MaxAttrValueBytes},
		{schemas + "Question/properties/question/maxLength", aisle.MaxTextBytes},
		{schemas + "Question/properties/answer/maxLength", aisle.MaxTextBytes},
		{schemas + "Question/properties/type/maxLength", aisle.MaxNameBytes},
	}
	for _, tt := range tests {
		got, ok := lookup(doc, tt.pointer).(float64)
		want, _ := strconv.ParseFloat(jsonNumber(tt.want), 64)
		if !ok || got != want {
			t.Errorf("%s = %v, want %v", tt.pointer, lookup(doc, tt.pointer), tt.want)
		}
	}

	var eventTypes []any
	for _, typ := range aisle.EventTypes {
		eventTypes = append(eventTypes, string(typ))
	}
	if d := cmp.Diff(lookup(doc, schemas+"Event/properties/type/enum"), eventTypes); d != "" {
		t.Errorf("documented event types differ from aisle's (-got +want):\n%s", d)
	}
	for _, a := range lookup(doc, schemas+"ItemInput/properties/availability/enum").([]any) {
		if !aisle.Availability(a.(string)).Valid() {
			t.Errorf("documented availability %q is not valid", a)
		}
	}
	for _, c := range lookup(doc, schemas+"Error/properties/error/properties/code/enum").([]any) {
		code := c.(string)
		if statusOf(code) == http.StatusInternalServerError && code != aisle.EINTERNAL {
			t.Errorf("documented error code %q has no status of its own", code)
		}
	}
	if desc := lookup(doc, "/info/description").(string); !strings.Contains(desc, strconv.FormatInt(cfg.MaxBodyBytes, 10)) {
		t.Errorf("info.description does not state the body limit")
	}
}

// lookup returns the value at a JSON pointer (without escapes) in v.
func lookup(v any, pointer string) any {
	for _, key := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[key]
	}
	return v
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
