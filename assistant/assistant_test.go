package assistant

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/qa"
	"github.com/aislehq/aisle/text/query"
	"github.com/google/go-cmp/cmp"
)

// catalog is a small in-memory Tools: search matches every query word
// in an item's title or brand; the brand a query names is the intent's.
type catalog struct{ items []aisle.Item }

func (c *catalog) Search(_ context.Context, q SearchQuery) ([]Item, query.Intent, error) {
	in := query.Intent{Query: q.Query}
	var words []string
	for _, w := range strings.Fields(strings.ToLower(q.Query)) {
		isBrand := false
		for _, it := range c.items {
			if strings.EqualFold(it.Brand, w) {
				in.Brand, isBrand = it.Brand, true
			}
		}
		if !isBrand {
			words = append(words, strings.TrimSuffix(w, "s"))
		}
	}
	in.Terms = words
	var out []Item
	for _, it := range c.items {
		text := strings.ToLower(it.Title)
		ok := (q.Brand == "" || strings.EqualFold(it.Brand, q.Brand)) && (in.Brand == "" || it.Brand == in.Brand)
		for _, w := range words {
			ok = ok && strings.Contains(text, w)
		}
		if ok && aisle.PriceWithin(it.Price, q.MinPrice, q.MaxPrice) {
			out = append(out, Item{ID: it.ID, Title: it.Title, Brand: it.Brand, Price: it.Price})
		}
	}
	return out, in, nil
}

func (c *catalog) Recommend(context.Context, string, int) ([]Item, error) {
	return []Item{{ID: c.items[0].ID, Title: c.items[0].Title}}, nil
}

func (c *catalog) Similar(_ context.Context, id string, _ int) ([]Item, error) {
	return []Item{{ID: "similar-to-" + id}}, nil
}

func (c *catalog) CompleteCart(_ context.Context, _ string, basket []string, _ int) ([]Item, error) {
	return []Item{{ID: "with-" + strings.Join(basket, "+")}}, nil
}

func (c *catalog) Item(_ context.Context, id string) (aisle.Item, error) {
	for _, it := range c.items {
		if it.ID == id {
			return it, nil
		}
	}
	return aisle.Item{}, aisle.Errorf(aisle.ENOTFOUND, "no item %q", id)
}

func (c *catalog) Ask(_ context.Context, it *aisle.Item, question, _ string) (qa.Answer, error) {
	return qa.Answer{Answer: "about " + it.ID, Type: qa.TypeOpen}, nil
}

func price(v float64) *float64 { return &v }

func newCatalog() *catalog {
	return &catalog{items: []aisle.Item{
		{ID: "s1", Title: "Swingline Stapler, Black", Brand: "Swingline", Price: price(12)},
		{ID: "s2", Title: "Bostitch Stapler, Blue", Brand: "Bostitch", Price: price(25)},
		{ID: "s3", Title: "Swingline Stapler, Blue", Brand: "Swingline", Price: price(40)},
		{ID: "p1", Title: "Pilot Pen, Black", Brand: "Pilot", Price: price(3)},
	}}
}

// ids returns the ids of items.
func ids(items []Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func TestDialogueState(t *testing.T) {
	a := New(newCatalog(), Options{})
	ctx := context.Background()
	steps := []struct {
		say   string
		act   string
		items []string
		state Constraints
	}{
		{"I need a stapler", ActResults, []string{"s1", "s2", "s3"}, Constraints{Topic: "stapler"}},
		{"under $30", ActResults, []string{"s1", "s2"}, Constraints{Topic: "stapler", MaxPrice: price(30)}},
		{"only Swingline", ActResults, []string{"s1"}, Constraints{Topic: "stapler", Brand: "Swingline", MaxPrice: price(30)}},
		{"any price", ActResults, []string{"s1", "s3"}, Constraints{Topic: "stapler", Brand: "Swingline"}},
		{"the second one", ActDetails, []string{"s3"}, Constraints{Topic: "stapler", Brand: "Swingline"}},
		{"is it heavy?", ActAnswer, []string{"s3"}, Constraints{Topic: "stapler", Brand: "Swingline"}},
		{"what about pens", ActResults, []string{"p1"}, Constraints{Topic: "pens"}},
		{"我需要订书机", ActResults, []string{"s1", "s2", "s3"}, Constraints{Topic: "stapler"}},
		{"比较前两个", ActCompare, []string{"s1", "s2"}, Constraints{Topic: "stapler"}},
		// Nothing is cheaper than the cheapest stapler shown.
		{"cheaper", ActResults, []string{}, Constraints{Topic: "stapler", MaxPrice: price(11.99), Sort: "price_asc"}},
		{"any price", ActResults, []string{"s1", "s2", "s3"}, Constraints{Topic: "stapler", Sort: "price_asc"}},
		{"only Bostitch", ActResults, []string{"s2"}, Constraints{Topic: "stapler", Brand: "Bostitch", Sort: "price_asc"}},
		{"add it to my cart", ActCart, []string{"s2"}, Constraints{Topic: "stapler", Brand: "Bostitch", Sort: "price_asc"}},
		{"what else do I need", ActCart, []string{"with-s2"}, Constraints{Topic: "stapler", Brand: "Bostitch", Sort: "price_asc"}},
		{"tell me a joke", ActRefuse, []string{}, Constraints{Topic: "stapler", Brand: "Bostitch", Sort: "price_asc"}},
	}
	session := ""
	for _, s := range steps {
		r, err := a.Chat(ctx, Request{Session: session, Message: s.say})
		if err != nil {
			t.Fatalf("%q: %v", s.say, err)
		}
		session = r.Session
		if r.Act != s.act || !cmp.Equal(ids(r.Items), s.items) || !cmp.Equal(r.State, s.state) {
			t.Errorf("%q: act %s, items %v, state %+v; want %s, %v, %+v (reply %q)", s.say, r.Act, ids(r.Items), r.State, s.act, s.items, s.state, r.Reply)
		}
	}
}

func TestCheckRequest(t *testing.T) {
	tests := []struct {
		req   Request
		field string
	}{
		{Request{Message: "pens"}, ""},
		{Request{Message: ""}, "message"},
		{Request{Message: " \n"}, "message"},
		{Request{Message: strings.Repeat("x", MaxMessageBytes+1)}, "message"},
		{Request{Message: "\xff"}, "message"},
		{Request{Message: "pens", Lang: "de"}, "lang"},
		{Request{Message: "pens", Session: strings.Repeat("s", MaxSessionBytes+1)}, "session"},
		{Request{Message: "pens", User: strings.Repeat("u", MaxUserBytes+1)}, "user"},
	}
	for _, tt := range tests {
		err := CheckRequest(tt.req)
		got := ""
		if e, ok := err.(*aisle.Error); ok {
			got = e.Field
		} else if err != nil {
			t.Errorf("%+v: %v is not an *aisle.Error", tt.req, err)
		}
		if got != tt.field {
			t.Errorf("%.40q: field %q, want %q", tt.req.Message, got, tt.field)
		}
	}
}

func TestSessions(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := New(newCatalog(), Options{Idle: time.Minute, MaxSessions: 2, MaxTurns: 3, Now: func() time.Time { return now }})
	ctx := context.Background()
	r1, err := a.Chat(ctx, Request{User: "u1", Message: "staplers"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Chat(ctx, Request{Session: r1.Session, User: "u2", Message: "pens"}); aisle.ErrorCode(err) != aisle.EINVALID {
		t.Errorf("another user's session: %v, want EINVALID", err)
	}
	for range 4 {
		if _, err := a.Chat(ctx, Request{Session: r1.Session, Message: "pens"}); err != nil {
			t.Fatal(err)
		}
	}
	v, err := a.Session(ctx, r1.Session)
	if err != nil || len(v.Turns) != 3 || v.User != "u1" {
		t.Errorf("session: %d turns (want 3), user %q, err %v", len(v.Turns), v.User, err)
	}
	// The cap: a third session pushes out the least recently used.
	now = now.Add(time.Second)
	r2, _ := a.Chat(ctx, Request{Message: "pens"})
	now = now.Add(time.Second)
	if _, err := a.Chat(ctx, Request{Message: "pens"}); err != nil {
		t.Fatal(err)
	}
	if a.Len() != 2 {
		t.Errorf("%d sessions, want 2", a.Len())
	}
	if _, err := a.Session(ctx, r1.Session); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("the least recently used session: %v, want ENOTFOUND", err)
	}
	// Expiry.
	now = now.Add(2 * time.Minute)
	if _, err := a.Chat(ctx, Request{Session: r2.Session, Message: "pens"}); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("an expired session: %v, want ENOTFOUND", err)
	}
	if err := a.Delete(ctx, "nope"); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("delete unknown: %v", err)
	}
}

func TestFindPriceAndColour(t *testing.T) {
	f := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	tests := []struct {
		msg    string
		lo, hi any
		colour string
	}{
		{"staplers under $30", nil, 30.0, ""},
		{"in black", nil, nil, "black"},
		{"between $10 and $20 dollars", 10.0, 20.0, ""},
		{"30元以下的计算器", nil, 30.0, ""},
		{"不超过50元 黑色", nil, 50.0, "black"},
		{"over 100 grey", 100.0, nil, "gray"},
		{"blackboard", nil, nil, ""},
	}
	for _, tt := range tests {
		lo, hi, _ := findPrice(tt.msg)
		c, _ := findColour(tt.msg)
		if f(lo) != tt.lo || f(hi) != tt.hi || c != tt.colour {
			t.Errorf("%q: %v-%v %q, want %v-%v %q", tt.msg, f(lo), f(hi), c, tt.lo, tt.hi, tt.colour)
		}
	}
}

// FuzzChat sends any message through the dialogue manager, twice in one
// session: it must answer with a known act or refuse the request with an
// error naming a field, never panic.
func FuzzChat(f *testing.F) {
	for _, s := range []string{"I need a stapler", "the second one", "比较前两个", "under $30", "#1", "第一个", "only ", "by", "cheaper", "what about the last one?"} {
		f.Add(s)
	}
	acts := map[string]bool{ActResults: true, ActClarify: true, ActDetails: true, ActAnswer: true, ActCompare: true, ActCart: true, ActPolicy: true, ActRefuse: true, ActHandoff: true, ActGreeting: true}
	f.Fuzz(func(t *testing.T, msg string) {
		a := New(newCatalog(), Options{})
		session := ""
		for range 2 {
			r, err := a.Chat(context.Background(), Request{Session: session, Message: msg})
			if err != nil {
				if e, ok := err.(*aisle.Error); !ok || e.Field != "message" {
					t.Fatalf("%q: %v", msg, err)
				}
				return
			}
			if !acts[r.Act] || r.Reply == "" {
				t.Fatalf("%q: act %q, reply %q", msg, r.Act, r.Reply)
			}
			session = r.Session
		}
	})
}

func TestConcurrentSessions(t *testing.T) {
	a := New(newCatalog(), Options{MaxSessions: 5})
	ctx := context.Background()
	shared, err := a.Chat(ctx, Request{Message: "staplers"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	for i := range 8 {
		go func() {
			var err error
			for j := 0; j < 20 && err == nil; j++ {
				if i%2 == 0 {
					_, err = a.Chat(ctx, Request{Session: shared.Session, Message: "the second one"})
					if aisle.ErrorCode(err) == aisle.ENOTFOUND {
						err = nil // pushed out by the cap: fine
					}
				} else {
					_, err = a.Chat(ctx, Request{Message: "pens"})
				}
				_, _ = a.Session(ctx, shared.Session)
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if a.Len() > 5 {
		t.Errorf("%d sessions, over the cap of 5", a.Len())
	}
}
