package http

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
)

func TestStatusOf(t *testing.T) {
	tests := []struct {
		code string
		want int
	}{
		{aisle.EINVALID, http.StatusBadRequest},
		{aisle.ENOTFOUND, http.StatusNotFound},
		{codeMethodNotAllowed, http.StatusMethodNotAllowed},
		{aisle.ETOOLARGE, http.StatusRequestEntityTooLarge},
		{codeUnsupportedMediaType, http.StatusUnsupportedMediaType},
		{aisle.EUNPROCESSABLE, http.StatusUnprocessableEntity},
		{aisle.EUNAVAILABLE, http.StatusServiceUnavailable},
		{aisle.EINTERNAL, http.StatusInternalServerError},
		{"something new", http.StatusInternalServerError},
	}
	for _, tt := range tests {
		if got := statusOf(tt.code); got != tt.want {
			t.Errorf("statusOf(%q) = %d, want %d", tt.code, got, tt.want)
		}
	}
}

func TestClientError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want errorDetail
	}{
		{"domain error", aisle.FieldErrorf(aisle.EINVALID, "title", "too long"), errorDetail{Code: "invalid", Message: "title: too long", Field: "title"}},
		{"wrapped domain error", fmt.Errorf("upsert: %w", aisle.Errorf(aisle.ENOTFOUND, "item \"x\" not found")), errorDetail{Code: "not_found", Message: "item \"x\" not found"}},
		{"internal error is hidden", errors.New("disk /dev/sda1 on fire"), errorDetail{Code: "internal", Message: "internal error"}},
		{"joined with a cause", errors.Join(aisle.Errorf(aisle.EUNAVAILABLE, "store is not reachable"), errors.New("secret")), errorDetail{Code: "unavailable", Message: "store is not reachable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(clientError(tt.err), tt.want); d != "" {
				t.Errorf("(-got +want):\n%s", d)
			}
		})
	}
}

func TestContextError(t *testing.T) {
	live := context.Background()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want string
	}{
		{"live context keeps internal", live, errors.New("boom"), aisle.EINTERNAL},
		{"ended context becomes unavailable", done, fmt.Errorf("query: %w", context.Canceled), aisle.EUNAVAILABLE},
		{"ended context keeps domain codes", done, aisle.Errorf(aisle.ENOTFOUND, "x"), aisle.ENOTFOUND},
	}
	for _, tt := range tests {
		if got := aisle.ErrorCode(contextError(tt.ctx, tt.err)); got != tt.want {
			t.Errorf("%s: code %q, want %q", tt.name, got, tt.want)
		}
	}
}

// badRequest is a request the API must refuse without changing the store.
type badRequest struct {
	name         string
	method, path string
	body         any // nil, string or []byte
	headers      []string
	status       int
	code         string
	field        string // the error's field, exactly
	msg          string // a part of the error's message
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string { return fmt.Sprintf("%q", s) }

// itemsBatch returns a batch body of n valid items.
func itemsBatch(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`{"id":"batch-%d","title":"t"}`, i)
	}
	return `{"items":[` + strings.Join(parts, ",") + `]}`
}

// cartOf returns a cart request body of n item ids.
func cartOf(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"pen-%d"`, i)
	}
	return `{"items":[` + strings.Join(parts, ",") + `]}`
}

// eventsBatch returns a batch body of n valid events.
func eventsBatch(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = `{"user":"u1","item":"pen-1","type":"view"}`
	}
	return `{"events":[` + strings.Join(parts, ",") + `]}`
}

func badRequests() []badRequest {
	huge := func(prefix string) string { return prefix + strings.Repeat("a", 8<<20) + `"}` }
	longTitle := strings.Repeat("t", aisle.MaxTitleBytes+1)
	future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	manyAttrs := make([]string, aisle.MaxAttributes+1)
	for i := range manyAttrs {
		manyAttrs[i] = fmt.Sprintf(`"k%d":"v"`, i)
	}
	const (
		bad  = http.StatusBadRequest
		nf   = http.StatusNotFound
		big  = http.StatusRequestEntityTooLarge
		unp  = http.StatusUnprocessableEntity
		inv  = aisle.EINVALID
		miss = aisle.ENOTFOUND
	)
	return []badRequest{
		// PUT /v1/items/{id}
		{name: "put item: malformed JSON", method: "PUT", path: "/v1/items/pen-9", body: `{"title": "x",}`, status: bad, code: inv, msg: "malformed JSON at line 1, column 15"},
		{name: "put item: malformed JSON on line 3", method: "PUT", path: "/v1/items/pen-9", body: "{\n  \"title\": \"x\"\n  \"brand\": \"y\"\n}", status: bad, code: inv, msg: "line 3, column 3"},
		{name: "put item: truncated JSON", method: "PUT", path: "/v1/items/pen-9", body: `{"title": "x"`, status: bad, code: inv, msg: "malformed JSON"},
		{name: "put item: title is a number", method: "PUT", path: "/v1/items/pen-9", body: `{"title": 5}`, status: bad, code: inv, field: "title", msg: "must be a string, not number"},
		{name: "put item: price is a string", method: "PUT", path: "/v1/items/pen-9", body: `{"title":"x","price":"cheap"}`, status: bad, code: inv, field: "price", msg: "must be a number, not string"},
		{name: "put item: category is a number", method: "PUT", path: "/v1/items/pen-9", body: `{"categories":["a",1]}`, status: bad, code: inv, field: "categories", msg: "must be a string"},
		{name: "put item: unknown field", method: "PUT", path: "/v1/items/pen-9", body: `{"titel":"x"}`, status: bad, code: inv, field: "titel", msg: "unknown field"},
		{name: "put item: invalid UTF-8", method: "PUT", path: "/v1/items/pen-9", body: "{\"title\":\"\xff\"}", status: bad, code: inv, msg: "not valid UTF-8 (first bad byte at offset 10)"},
		{name: "put item: body over limit", method: "PUT", path: "/v1/items/pen-9", body: huge(`{"title":"`), status: big, code: aisle.ETOOLARGE, msg: "8388608 bytes"},
		{name: "put item: empty body", method: "PUT", path: "/v1/items/pen-9", body: "", status: bad, code: inv, msg: "empty"},
		{name: "put item: blank body", method: "PUT", path: "/v1/items/pen-9", body: " \n\t", status: bad, code: inv, msg: "empty"},
		{name: "put item: trailing data", method: "PUT", path: "/v1/items/pen-9", body: `{"title":"x"} {"title":"y"}`, status: bad, code: inv, msg: "unexpected data after the JSON value at line 1, column 15"},
		{name: "put item: trailing garbage", method: "PUT", path: "/v1/items/pen-9", body: `{"title":"x"}]`, status: bad, code: inv, msg: "unexpected data"},
		{name: "put item: array body", method: "PUT", path: "/v1/items/pen-9", body: `[{"title":"x"}]`, status: bad, code: inv, msg: "must be a JSON object"},
		{name: "put item: null body", method: "PUT", path: "/v1/items/pen-9", body: `null`, status: bad, code: inv, msg: "must be a JSON object"},
		{name: "put item: body id differs", method: "PUT", path: "/v1/items/pen-9", body: `{"id":"pen-8","title":"x"}`, status: unp, code: aisle.EUNPROCESSABLE, field: "id", msg: "differs"},
		{name: "put item: title too long", method: "PUT", path: "/v1/items/pen-9", body: `{"title":` + jsonString(longTitle) + `}`, status: bad, code: inv, field: "title", msg: "longer than 2048 bytes"},
		{name: "put item: title too long on existing item", method: "PUT", path: "/v1/items/pen-1", body: `{"title":` + jsonString(longTitle) + `}`, status: bad, code: inv, field: "title", msg: "longer than 2048 bytes"},
		{name: "put item: negative price", method: "PUT", path: "/v1/items/pen-9", body: `{"title":"x","price":-1}`, status: bad, code: inv, field: "price", msg: "≥ 0"},
		{name: "put item: bad currency", method: "PUT", path: "/v1/items/pen-9", body: `{"title":"x","price":1,"currency":"usd"}`, status: bad, code: inv, field: "currency", msg: "ISO 4217"},
		{name: "put item: currency without price", method: "PUT", path: "/v1/items/pen-9", body: `{"title":"x","currency":"USD"}`, status: unp, code: aisle.EUNPROCESSABLE, field: "currency", msg: "without a price"},
		{name: "put item: unknown availability", method: "PUT", path: "/v1/items/pen-9", body: `{"title":"x","availability":"sold_out"}`, status: bad, code: inv, field: "availability", msg: "in_stock"},
		{name: "put item: empty category", method: "PUT", path: "/v1/items/pen-9", body: `{"title":"x","categories":["a",""]}`, status: bad, code: inv, field: "categories[1]", msg: "must not be empty"},
		{name: "put item: path id with spaces", method: "PUT", path: "/v1/items/%20pen", body: `{"title":"x"}`, status: bad, code: inv, field: "id", msg: "white space"},
		{name: "put item: path id too long", method: "PUT", path: "/v1/items/" + strings.Repeat("i", aisle.MaxIDBytes+1), body: `{"title":"x"}`, status: bad, code: inv, field: "id", msg: "longer than 256 bytes"},
		{name: "put item: path id with control character", method: "PUT", path: "/v1/items/a%01b", body: `{"title":"x"}`, status: bad, code: inv, field: "id", msg: "control"},
		{name: "put item: text content type", method: "PUT", path: "/v1/items/pen-9", body: `{"title":"x"}`, headers: []string{"Content-Type", "text/plain"}, status: http.StatusUnsupportedMediaType, code: codeUnsupportedMediaType, msg: "application/json"},

		// POST /v1/items
		{name: "post items: batch over limit", method: "POST", path: "/v1/items", body: itemsBatch(1001), status: big, code: aisle.ETOOLARGE, field: "items", msg: "more than 1000 items"},
		{name: "post items: body over limit", method: "POST", path: "/v1/items", body: huge(`{"items":[{"id":"x","title":"`), status: big, code: aisle.ETOOLARGE, msg: "8388608 bytes"},
		{name: "post items: empty batch", method: "POST", path: "/v1/items", body: `{"items":[]}`, status: bad, code: inv, field: "items", msg: "must not be empty"},
		{name: "post items: no items", method: "POST", path: "/v1/items", body: `{}`, status: bad, code: inv, field: "items", msg: "required"},
		{name: "post items: unknown top-level field", method: "POST", path: "/v1/items", body: `{"itemz":[]}`, status: bad, code: inv, field: "itemz", msg: "unknown field"},
		{name: "post items: items given twice", method: "POST", path: "/v1/items", body: `{"items":[{"id":"a"}],"items":[{"id":"b"}]}`, status: bad, code: inv, field: "items", msg: "more than once"},
		{name: "post items: items not an array", method: "POST", path: "/v1/items", body: `{"items":{"id":"a"}}`, status: bad, code: inv, field: "items", msg: "must be an array"},
		{name: "post items: element not an object", method: "POST", path: "/v1/items", body: `{"items":[1]}`, status: bad, code: inv, field: "items[0]", msg: "must be an object, not number"},
		{name: "post items: bad second item, first not written", method: "POST", path: "/v1/items", body: `{"items":[{"id":"new-a","title":"ok"},{"id":"new-b","title":` + jsonString(longTitle) + `}]}`, status: bad, code: inv, field: "items[1].title", msg: "longer than 2048 bytes"},
		{name: "post items: empty id", method: "POST", path: "/v1/items", body: `{"items":[{"id":"","title":"x"}]}`, status: bad, code: inv, field: "items[0].id", msg: "must not be empty"},
		{name: "post items: missing id", method: "POST", path: "/v1/items", body: `{"items":[{"id":"new-a","title":"x"},{"title":"x"}]}`, status: bad, code: inv, field: "items[1].id", msg: "must not be empty"},
		{name: "post items: wrong type in element", method: "POST", path: "/v1/items", body: `{"items":[{"id":"a","title":"x"},{"id":"b","price":"1"}]}`, status: bad, code: inv, field: "items[1].price", msg: "must be a number"},
		{name: "post items: attribute value not a string", method: "POST", path: "/v1/items", body: `{"items":[{"id":"a","attributes":{"colour":"red","size":9}}]}`, status: bad, code: inv, field: "items[0].attributes.size", msg: "must be a string"},
		{name: "post items: unknown field in element", method: "POST", path: "/v1/items", body: `{"items":[{"id":"a","colour":"red"}]}`, status: bad, code: inv, field: "items[0].colour", msg: "unknown field"},
		{name: "post items: malformed element", method: "POST", path: "/v1/items", body: `{"items":[{"id":"a"},}`, status: bad, code: inv, msg: "malformed JSON at line 1, column 22"},
		{name: "post items: invalid UTF-8", method: "POST", path: "/v1/items", body: "{\"items\":[{\"id\":\"a\xc3\"}]}", status: bad, code: inv, msg: "UTF-8"},
		{name: "post items: text content type", method: "POST", path: "/v1/items", body: itemsBatch(1), headers: []string{"Content-Type", "text/csv"}, status: http.StatusUnsupportedMediaType, code: codeUnsupportedMediaType, msg: "text/csv"},

		// Empty path ids match no route.
		{name: "put item: empty id", method: "PUT", path: "/v1/items/", body: `{"title":"x"}`, status: nf, code: miss, msg: "no route for PUT /v1/items/"},
		{name: "get user: empty id", method: "GET", path: "/v1/users/", status: nf, code: miss, msg: "no route for GET /v1/users/"},

		// GET and DELETE /v1/items/{id}
		{name: "get item: unknown", method: "GET", path: "/v1/items/nope", status: nf, code: miss, msg: `"nope" not found`},
		{name: "get item: bad id", method: "GET", path: "/v1/items/%20x", status: bad, code: inv, field: "id", msg: "white space"},
		{name: "delete item: unknown", method: "DELETE", path: "/v1/items/nope", status: nf, code: miss, msg: `"nope" not found`},
		{name: "delete item: bad id", method: "DELETE", path: "/v1/items/x%00", status: bad, code: inv, field: "id"},

		// GET /v1/items
		{name: "list items: limit=-1", method: "GET", path: "/v1/items?limit=-1", status: bad, code: inv, field: "limit", msg: "from 1 to 1000"},
		{name: "list items: limit=0", method: "GET", path: "/v1/items?limit=0", status: bad, code: inv, field: "limit", msg: "from 1 to 1000"},
		{name: "list items: limit=abc", method: "GET", path: "/v1/items?limit=abc", status: bad, code: inv, field: "limit", msg: `not "abc"`},
		{name: "list items: limit=1001", method: "GET", path: "/v1/items?limit=1001", status: bad, code: inv, field: "limit", msg: "from 1 to 1000"},
		{name: "list items: limit twice", method: "GET", path: "/v1/items?limit=1&limit=2", status: bad, code: inv, field: "limit", msg: "more than once"},
		{name: "list items: bad cursor", method: "GET", path: "/v1/items?cursor=!!!", status: bad, code: inv, field: "cursor", msg: "not a cursor"},
		{name: "list items: brand too long", method: "GET", path: "/v1/items?brand=" + strings.Repeat("b", aisle.MaxBrandBytes+1), status: bad, code: inv, field: "brand", msg: "longer than 256 bytes"},
		{name: "list items: category not UTF-8", method: "GET", path: "/v1/items?category=%ff", status: bad, code: inv, field: "category", msg: "UTF-8"},
		{name: "list items: malformed query", method: "GET", path: "/v1/items?limit=%zz", status: bad, code: inv, msg: "malformed query"},

		// GET /v1/items/{id}/questions
		{name: "questions: unknown item without questions", method: "GET", path: "/v1/items/nope/questions", status: nf, code: miss, msg: `"nope" not found`},
		{name: "questions: limit=0", method: "GET", path: "/v1/items/pen-1/questions?limit=0", status: bad, code: inv, field: "limit"},
		{name: "questions: limit=x", method: "GET", path: "/v1/items/pen-1/questions?limit=x", status: bad, code: inv, field: "limit"},
		{name: "questions: bad id", method: "GET", path: "/v1/items/%20/questions", status: bad, code: inv, field: "id"},

		// GET /v1/items/{id}/similar
		{name: "similar: unknown item", method: "GET", path: "/v1/items/nope/similar", status: nf, code: miss, msg: `"nope" not found`},
		{name: "similar: n=0", method: "GET", path: "/v1/items/pen-1/similar?n=0", status: bad, code: inv, field: "n", msg: "from 1 to 200"},
		{name: "similar: n=abc", method: "GET", path: "/v1/items/pen-1/similar?n=abc", status: bad, code: inv, field: "n", msg: "from 1 to 200"},
		{name: "similar: n=100000", method: "GET", path: "/v1/items/pen-1/similar?n=100000", status: bad, code: inv, field: "n", msg: "from 1 to 200"},

		// PUT, GET, DELETE /v1/users/{id}
		{name: "put user: malformed JSON", method: "PUT", path: "/v1/users/u3", body: `{"attributes":`, status: bad, code: inv, msg: "malformed JSON"},
		{name: "put user: unknown field", method: "PUT", path: "/v1/users/u3", body: `{"name":"Ann"}`, status: bad, code: inv, field: "name", msg: "unknown field"},
		{name: "put user: attributes wrong type", method: "PUT", path: "/v1/users/u3", body: `{"attributes":["a"]}`, status: bad, code: inv, field: "attributes", msg: "must be an object, not array"},
		{name: "put user: attribute value wrong type", method: "PUT", path: "/v1/users/u3", body: `{"attributes":{"age":30}}`, status: bad, code: inv, field: "attributes.age", msg: "must be a string, not number"},
		{name: "put user: too many attributes", method: "PUT", path: "/v1/users/u3", body: `{"attributes":{` + strings.Join(manyAttrs, ",") + `}}`, status: bad, code: inv, field: "attributes", msg: "more than 64"},
		{name: "put user: body id differs", method: "PUT", path: "/v1/users/u3", body: `{"id":"u4"}`, status: unp, code: aisle.EUNPROCESSABLE, field: "id", msg: "differs"},
		{name: "put user: changing an existing user fails whole", method: "PUT", path: "/v1/users/u1", body: `{"attributes":{"":"x"}}`, status: bad, code: inv, field: "attributes", msg: "name must not be empty"},
		{name: "put user: invalid UTF-8", method: "PUT", path: "/v1/users/u3", body: "{\"attributes\":{\"a\":\"\xed\xa0\x80\"}}", status: bad, code: inv, msg: "UTF-8"},
		{name: "put user: body over limit", method: "PUT", path: "/v1/users/u3", body: huge(`{"attributes":{"a":"`), status: big, code: aisle.ETOOLARGE, msg: "8388608 bytes"},
		{name: "put user: bad id", method: "PUT", path: "/v1/users/%20u", body: `{}`, status: bad, code: inv, field: "id", msg: "white space"},
		{name: "get user: unknown", method: "GET", path: "/v1/users/nobody", status: nf, code: miss, msg: `"nobody" not found`},
		{name: "delete user: unknown", method: "DELETE", path: "/v1/users/nobody", status: nf, code: miss, msg: `"nobody" not found`},
		{name: "get profile: unknown lang", method: "GET", path: "/v1/users/u1/profile?lang=fr", status: bad, code: inv, field: "lang", msg: "en or zh"},
		{name: "get profile: unknown user", method: "GET", path: "/v1/users/nobody/profile", status: nf, code: miss, msg: `"nobody" not found`},
		{name: "remove interest: no kind", method: "DELETE", path: "/v1/users/u1/profile/interests/Brother", status: bad, code: inv, field: "tag", msg: "want kind:value"},
		{name: "remove interest: unknown kind", method: "DELETE", path: "/v1/users/u1/profile/interests/size%3AXL", status: bad, code: inv, field: "tag", msg: `unknown kind "size"`},
		{name: "remove interest: tag over limit", method: "DELETE", path: "/v1/users/u1/profile/interests/brand%3A" + strings.Repeat("a", aisle.MaxInterestBytes), status: bad, code: inv, field: "tag", msg: "512"},
		{name: "cart: body over limit", method: "POST", path: "/v1/cart/recommend", body: huge(`{"items":["`), status: big, code: aisle.ETOOLARGE, msg: "8388608 bytes"},
		{name: "remove interest: control character", method: "DELETE", path: "/v1/users/u1/profile/interests/brand%3Aa%07b", status: bad, code: inv, field: "tag", msg: "control"},
		{name: "delete user: bad id", method: "DELETE", path: "/v1/users/%09u", status: bad, code: inv, field: "id"},

		// POST /v1/events
		{name: "events: unknown type", method: "POST", path: "/v1/events", body: `{"events":[{"user":"u1","item":"pen-1","type":"like"}]}`, status: bad, code: inv, field: "events[0].type", msg: "unknown event type"},
		{name: "events: unknown item, batch not written", method: "POST", path: "/v1/events", body: `{"events":[{"user":"u1","item":"pen-1","type":"view"},{"user":"new-user","item":"nope","type":"view"}]}`, status: unp, code: aisle.EUNPROCESSABLE, field: "events[1].item", msg: `unknown item "nope"`},
		{name: "events: rating without value", method: "POST", path: "/v1/events", body: `{"events":[{"user":"u1","item":"pen-1","type":"rating"}]}`, status: unp, code: aisle.EUNPROCESSABLE, field: "events[0].value", msg: "required for rating"},
		{name: "events: value on a view", method: "POST", path: "/v1/events", body: `{"events":[{"user":"u1","item":"pen-1","type":"view","value":3}]}`, status: unp, code: aisle.EUNPROCESSABLE, field: "events[0].value", msg: "only rating"},
		{name: "events: rating out of range", method: "POST", path: "/v1/events", body: `{"events":[{"user":"u1","item":"pen-1","type":"rating","value":1001}]}`, status: bad, code: inv, field: "events[0].value", msg: "between -1000 and 1000"},
		{name: "events: value overflows", method: "POST", path: "/v1/events", body: `{"events":[{"user":"u1","item":"pen-1","type":"rating","value":1e999}]}`, status: bad, code: inv, field: "events[0].value", msg: "out of range"},
		{name: "events: future timestamp", method: "POST", path: "/v1/events", body: `{"events":[{"user":"u1","item":"pen-1","type":"view"},{"user":"u1","item":"pen-1","type":"view","timestamp":"` + future + `"}]}`, status: unp, code: aisle.EUNPROCESSABLE, field: "events[1].timestamp", msg: "in the future"},
		{name: "events: timestamp before 1970", method: "POST", path: "/v1/events", body: `{"events":[{"user":"u1","item":"pen-1","type":"view","timestamp":"1969-12-31T23:59:59Z"}]}`, status: bad, code: inv, field: "events[0].timestamp", msg: "before 1970"},
		{name: "events: timestamp not RFC 3339", method: "POST", path: "/v1/events", body: `{"events":[{"user":"u1","item":"pen-1","type":"view","timestamp":"yesterday"}]}`, status: bad, code: inv, field: "events[0].timestamp", msg: "RFC 3339"},
		{name: "events: timestamp a number", method: "POST", path: "/v1/events", body: `{"events":[{"user":"u1","item":"pen-1","type":"view"},{"user":"u1","item":"pen-1","type":"view","timestamp":5}]}`, status: bad, code: inv, field: "events[1].timestamp", msg: "RFC 3339"},
		{name: "events: value is a string", method: "POST", path: "/v1/events", body: `{"events":[{"user":"u1","item":"pen-1","type":"view"},{"user":"u1","item":"pen-1","type":"view"},{"user":"u1","item":"pen-1","type":"rating","value":"x"}]}`, status: bad, code: inv, field: "events[2].value", msg: "must be a number, not string"},
		{name: "events: empty user", method: "POST", path: "/v1/events", body: `{"events":[{"user":"","item":"pen-1","type":"view"}]}`, status: bad, code: inv, field: "events[0].user", msg: "must not be empty"},
		{name: "events: missing user", method: "POST", path: "/v1/events", body: `{"events":[{"item":"pen-1","type":"view"}]}`, status: bad, code: inv, field: "events[0].user", msg: "must not be empty"},
		{name: "events: search without query", method: "POST", path: "/v1/events", body: `{"events":[{"user":"u1","type":"search"}]}`, status: unp, code: aisle.EUNPROCESSABLE, field: "events[0].query", msg: "required for search"},
		{name: "events: unknown field", method: "POST", path: "/v1/events", body: `{"events":[{"user":"u1","item":"pen-1","type":"view","rating":5}]}`, status: bad, code: inv, field: "events[0].rating", msg: "unknown field"},
		{name: "events: context value not a string", method: "POST", path: "/v1/events", body: `{"events":[{"user":"u1","item":"pen-1","type":"view","context":{"page":1}}]}`, status: bad, code: inv, field: "events[0].context.page", msg: "must be a string"},
		{name: "events: batch over limit", method: "POST", path: "/v1/events", body: eventsBatch(1001), status: big, code: aisle.ETOOLARGE, field: "events", msg: "more than 1000 events"},
		{name: "events: body over limit", method: "POST", path: "/v1/events", body: huge(`{"events":[{"user":"u1","type":"search","query":"`), status: big, code: aisle.ETOOLARGE, msg: "8388608 bytes"},
		{name: "events: invalid UTF-8", method: "POST", path: "/v1/events", body: "{\"events\":[{\"user\":\"u\xfe\",\"item\":\"pen-1\",\"type\":\"view\"}]}", status: bad, code: inv, msg: "UTF-8"},
		{name: "events: empty batch", method: "POST", path: "/v1/events", body: `{"events":[]}`, status: bad, code: inv, field: "events", msg: "must not be empty"},
		{name: "events: malformed JSON", method: "POST", path: "/v1/events", body: `{"events":[{"user":"u1" "item":"pen-1"}]}`, status: bad, code: inv, msg: "line 1, column 25"},
		{name: "events: text content type", method: "POST", path: "/v1/events", body: eventsBatch(1), headers: []string{"Content-Type", "text/plain"}, status: http.StatusUnsupportedMediaType, code: codeUnsupportedMediaType},

		// GET /v1/recommend/{user}
		{name: "recommend: n=0", method: "GET", path: "/v1/recommend/u1?n=0", status: bad, code: inv, field: "n", msg: "from 1 to 200"},
		{name: "recommend: n=abc", method: "GET", path: "/v1/recommend/u1?n=abc", status: bad, code: inv, field: "n", msg: `not "abc"`},
		{name: "recommend: n=100000", method: "GET", path: "/v1/recommend/u1?n=100000", status: bad, code: inv, field: "n", msg: "from 1 to 200"},
		{name: "recommend: include_bought=maybe", method: "GET", path: "/v1/recommend/u1?include_bought=maybe", status: bad, code: inv, field: "include_bought", msg: "true or false"},
		{name: "recommend: bad excluded id", method: "GET", path: "/v1/recommend/u1?exclude=pen-1,%20pen-2", status: bad, code: inv, field: "exclude", msg: "white space"},
		{name: "recommend: bad user id", method: "GET", path: "/v1/recommend/%20u1", status: bad, code: inv, field: "user", msg: "white space"},
		{name: "recommend: max_per_category=0", method: "GET", path: "/v1/recommend/u1?max_per_category=0", status: bad, code: inv, field: "max_per_category", msg: "from 1 to 200"},
		{name: "recommend: max_price below min_price", method: "GET", path: "/v1/recommend/u1?min_price=10&max_price=5", status: bad, code: inv, field: "max_price", msg: "below min_price"},
		{name: "recommend: min_price not a number", method: "GET", path: "/v1/recommend/u1?min_price=cheap", status: bad, code: inv, field: "min_price"},
		{name: "recommend: diversity above 1", method: "GET", path: "/v1/recommend/u1?diversity=1.5", status: bad, code: inv, field: "diversity", msg: "from 0 to 1"},
		{name: "recommend: diversity NaN", method: "GET", path: "/v1/recommend/u1?diversity=NaN", status: bad, code: inv, field: "diversity", msg: "from 0 to 1"},
		{name: "recommend: color not UTF-8", method: "GET", path: "/v1/recommend/u1?color=%ff", status: bad, code: inv, field: "color", msg: "UTF-8"},
		{name: "recommend: brand twice", method: "GET", path: "/v1/recommend/u1?brand=a&brand=b", status: bad, code: inv, field: "brand", msg: "more than once"},

		// PUT /v1/rules/{name} (http/rules.go)
		{name: "rule: unknown field", method: "PUT", path: "/v1/rules/r1", body: `{"action":"block","match":{"brands":["Acme"]},"priority":3}`, status: bad, code: inv, field: "priority", msg: "unknown field"},
		{name: "rule: name in the body", method: "PUT", path: "/v1/rules/r1", body: `{"name":"r2","action":"block","match":{"brands":["Acme"]}}`, status: bad, code: inv, field: "name", msg: "unknown field"},
		{name: "rule: unknown match field", method: "PUT", path: "/v1/rules/r1", body: `{"action":"block","match":{"brand":"Acme"}}`, status: bad, code: inv, field: "match.brand", msg: "unknown field"},
		{name: "rule: position a string", method: "PUT", path: "/v1/rules/r1", body: `{"action":"pin","position":"1","match":{"items":["pen-1"]}}`, status: bad, code: inv, field: "position"},
		{name: "rule: match a string", method: "PUT", path: "/v1/rules/r1", body: `{"action":"block","match":"Acme"}`, status: bad, code: inv, field: "match", msg: "object"},
		{name: "rule: brands a string", method: "PUT", path: "/v1/rules/r1", body: `{"action":"block","match":{"brands":"Acme"}}`, status: bad, code: inv, field: "match.brands"},
		{name: "rule: start not a time", method: "PUT", path: "/v1/rules/r1", body: `{"action":"block","match":{"brands":["Acme"]},"starts_at":"tomorrow"}`, status: bad, code: inv, field: "starts_at"},
		{name: "rule: unknown action", method: "PUT", path: "/v1/rules/r1", body: `{"action":"promote","match":{"brands":["Acme"]}}`, status: bad, code: inv, field: "action", msg: "boost, bury, pin, block"},
		{name: "rule: no match", method: "PUT", path: "/v1/rules/r1", body: `{"action":"block","match":{}}`, status: bad, code: inv, field: "match", msg: "at least one"},
		{name: "rule: pin without position", method: "PUT", path: "/v1/rules/r1", body: `{"action":"pin","match":{"items":["pen-1"]}}`, status: bad, code: inv, field: "position", msg: "from 1 to 200"},
		{name: "rule: strength too big", method: "PUT", path: "/v1/rules/r1", body: `{"action":"bury","strength":500,"match":{"brands":["Acme"]}}`, status: bad, code: inv, field: "strength"},
		{name: "rule: end before start", method: "PUT", path: "/v1/rules/r1", body: `{"action":"block","match":{"brands":["Acme"]},"starts_at":"2026-12-08T00:00:00Z","ends_at":"2026-12-07T00:00:00Z"}`, status: bad, code: inv, field: "ends_at", msg: "after starts_at"},
		{name: "rule: negative price", method: "PUT", path: "/v1/rules/r1", body: `{"action":"block","match":{"max_price":-1}}`, status: bad, code: inv, field: "match.max_price"},
		{name: "rule: bad item id", method: "PUT", path: "/v1/rules/r1", body: `{"action":"block","match":{"items":["pen-1"," x"]}}`, status: bad, code: inv, field: "match.items[1]", msg: "white space"},
		{name: "rule: name with white space", method: "PUT", path: "/v1/rules/%20r1", body: `{"action":"block","match":{"brands":["Acme"]}}`, status: bad, code: inv, field: "name", msg: "white space"},
		{name: "rule: body over limit", method: "PUT", path: "/v1/rules/r1", body: huge(`{"action":"block","match":{"brands":["`), status: big, code: aisle.ETOOLARGE, msg: "8388608 bytes"},
		{name: "rule: brand not UTF-8", method: "PUT", path: "/v1/rules/r1", body: "{\"action\":\"block\",\"match\":{\"brands\":[\"\xff\xfe\"]}}", status: bad, code: inv, msg: "UTF-8"},
		{name: "rule: get unknown", method: "GET", path: "/v1/rules/nope", status: nf, code: miss, msg: "not found"},
		{name: "rule: delete unknown", method: "DELETE", path: "/v1/rules/nope", status: nf, code: miss, msg: "not found"},

		// POST /v1/cart/recommend
		{name: "cart: empty basket", method: "POST", path: "/v1/cart/recommend", body: `{"items":[]}`, status: bad, code: inv, field: "items", msg: "must not be empty"},
		{name: "cart: no basket", method: "POST", path: "/v1/cart/recommend", body: `{"n":5}`, status: bad, code: inv, field: "items", msg: "must not be empty"},
		{name: "cart: basket over limit", method: "POST", path: "/v1/cart/recommend", body: cartOf(aisle.MaxCartItems + 1), status: bad, code: inv, field: "items", msg: "more than 100 items"},
		{name: "cart: item not in the catalog", method: "POST", path: "/v1/cart/recommend", body: `{"items":["pen-1","pen-2","nope"]}`, status: bad, code: inv, field: "items[2]", msg: `no item "nope" in the catalog`},
		{name: "cart: bad item id", method: "POST", path: "/v1/cart/recommend", body: `{"items":["pen-1"," pen-2"]}`, status: bad, code: inv, field: "items[1]", msg: "white space"},
		{name: "cart: items not an array", method: "POST", path: "/v1/cart/recommend", body: `{"items":"pen-1"}`, status: bad, code: inv, field: "items", msg: "must be"},
		{name: "cart: item not a string", method: "POST", path: "/v1/cart/recommend", body: `{"items":["pen-1",2]}`, status: bad, code: inv, field: "items", msg: "must be a string"},
		{name: "cart: n too large", method: "POST", path: "/v1/cart/recommend", body: `{"items":["pen-1"],"n":201}`, status: bad, code: inv, field: "n", msg: "from 1 to 200"},
		{name: "cart: n negative", method: "POST", path: "/v1/cart/recommend", body: `{"items":["pen-1"],"n":-1}`, status: bad, code: inv, field: "n", msg: "from 1 to 200"},
		{name: "cart: n a string", method: "POST", path: "/v1/cart/recommend", body: `{"items":["pen-1"],"n":"5"}`, status: bad, code: inv, field: "n", msg: "must be"},
		{name: "cart: max_price below min_price", method: "POST", path: "/v1/cart/recommend", body: `{"items":["pen-1"],"min_price":10,"max_price":5}`, status: bad, code: inv, field: "max_price", msg: "below min_price"},
		{name: "cart: negative price", method: "POST", path: "/v1/cart/recommend", body: `{"items":["pen-1"],"min_price":-1}`, status: bad, code: inv, field: "min_price", msg: "≥ 0"},
		{name: "cart: max_per_category negative", method: "POST", path: "/v1/cart/recommend", body: `{"items":["pen-1"],"max_per_category":-2}`, status: bad, code: inv, field: "max_per_category", msg: "from 1 to 200"},
		{name: "cart: bad user", method: "POST", path: "/v1/cart/recommend", body: `{"items":["pen-1"],"user":"u\u0001"}`, status: bad, code: inv, field: "user", msg: "control"},
		{name: "cart: bad excluded id", method: "POST", path: "/v1/cart/recommend", body: `{"items":["pen-1"],"exclude":[""]}`, status: bad, code: inv, field: "exclude[0]", msg: "must not be empty"},
		{name: "cart: colour too long", method: "POST", path: "/v1/cart/recommend", body: `{"items":["pen-1"],"color":"` + strings.Repeat("c", 65) + `"}`, status: bad, code: inv, field: "color", msg: "longer than 64 bytes"},
		{name: "cart: unknown field", method: "POST", path: "/v1/cart/recommend", body: `{"items":["pen-1"],"basket":["pen-2"]}`, status: bad, code: inv, field: "basket", msg: "unknown field"},
		{name: "cart: malformed JSON", method: "POST", path: "/v1/cart/recommend", body: `{"items":["pen-1"`, status: bad, code: inv, msg: "malformed JSON"},
		{name: "cart: text content type", method: "POST", path: "/v1/cart/recommend", body: `{"items":["pen-1"]}`, headers: []string{"Content-Type", "text/plain"}, status: http.StatusUnsupportedMediaType, code: codeUnsupportedMediaType},
		{name: "cart: GET", method: "GET", path: "/v1/cart/recommend", status: http.StatusMethodNotAllowed, code: codeMethodNotAllowed, msg: "GET"},

		// Operations routes refuse other methods.
		{name: "healthz: POST", method: "POST", path: "/healthz", status: http.StatusMethodNotAllowed, code: codeMethodNotAllowed, msg: "POST"},
		{name: "readyz: PUT", method: "PUT", path: "/readyz", status: http.StatusMethodNotAllowed, code: codeMethodNotAllowed, msg: "PUT"},
		{name: "metrics: POST", method: "POST", path: "/metrics", status: http.StatusMethodNotAllowed, code: codeMethodNotAllowed, msg: "POST"},
		{name: "openapi: DELETE", method: "DELETE", path: "/v1/openapi.json", status: http.StatusMethodNotAllowed, code: codeMethodNotAllowed, msg: "DELETE"},
	}
}

func TestBadRequests(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	for _, tt := range badRequests() {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot()
			resp := e.do(tt.method, tt.path, tt.body, tt.headers...)
			if resp.status != tt.status {
				t.Errorf("status = %d, want %d; body: %.300s", resp.status, tt.status, resp.body)
			}
			got := apiError(t, resp)
			if got.Code != tt.code {
				t.Errorf("code = %q, want %q (message %q)", got.Code, tt.code, got.Message)
			}
			if got.Field != tt.field {
				t.Errorf("field = %q, want %q (message %q)", got.Field, tt.field, got.Message)
			}
			if !strings.Contains(got.Message, tt.msg) {
				t.Errorf("message = %q, want it to contain %q", got.Message, tt.msg)
			}
			if tt.field != "" && !strings.Contains(got.Message, tt.field) {
				t.Errorf("message = %q does not name the field %q", got.Message, tt.field)
			}
			if d := cmp.Diff(e.snapshot(), before); d != "" {
				t.Errorf("store changed (-got +want):\n%s", d)
			}
		})
	}
	if n := len(e.rec.Observed()); n != 0 {
		t.Errorf("refused requests fed %d events to the recommender", n)
	}
}
