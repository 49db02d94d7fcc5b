package assistant

import (
	"context"
	"fmt"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/qa"
	"github.com/aislehq/aisle/search"
	"github.com/aislehq/aisle/text/query"
)

// Item is one product the assistant shows, with why it was chosen.
type Item struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Brand    string   `json:"brand,omitempty"`
	Category []string `json:"category,omitempty"`
	Price    *float64 `json:"price,omitempty"`
	Reasons  []string `json:"reasons"`
}

// SearchQuery is a search the dialogue manager makes: the topic's words
// and the constraints the shopper stated across turns.
type SearchQuery struct {
	Query              string
	User               string
	Brand, Color       string
	MinPrice, MaxPrice *float64
	N                  int
}

// Tools are what the assistant can do in the store. The same tools serve
// the built-in dialogue manager and a language model's tool calls.
// Implementations must be safe for concurrent use.
type Tools interface {
	// Search finds items for q and returns what the query was read to
	// ask for (brand, colours, price, terms).
	Search(ctx context.Context, q SearchQuery) ([]Item, query.Intent, error)
	// Recommend returns up to n items for user (popular ones for "").
	Recommend(ctx context.Context, user string, n int) ([]Item, error)
	// Similar returns up to n items like id.
	Similar(ctx context.Context, id string, n int) ([]Item, error)
	// CompleteCart returns up to n items that go with the basket.
	CompleteCart(ctx context.Context, user string, basket []string, n int) ([]Item, error)
	// Item returns the catalog item id (ENOTFOUND when absent).
	Item(ctx context.Context, id string) (aisle.Item, error)
	// Ask answers a shopper's question about it in lang.
	Ask(ctx context.Context, it *aisle.Item, question, lang string) (qa.Answer, error)
}

// Searcher is a search index; *search.Live is one.
type Searcher interface {
	Search(ctx context.Context, req search.Request) (search.Result, error)
}

// Recommender ranks items for shoppers, finds similar items and completes
// carts; *recommend.Engine is one.
type Recommender interface {
	Recommend(ctx context.Context, user string, req aisle.RecommendRequest) ([]aisle.Recommendation, error)
	Similar(ctx context.Context, item string, n int) ([]aisle.Recommendation, error)
	CompleteCart(ctx context.Context, req aisle.CartRequest) ([]aisle.Recommendation, error)
}

// ItemSource reads catalog items; *sqlite.DB is one.
type ItemSource interface {
	Item(ctx context.Context, id string) (aisle.Item, error)
}

// Asker answers product questions; *qa.Answerer is one.
type Asker interface {
	Ask(ctx context.Context, it *aisle.Item, question, lang string) (qa.Answer, error)
}

// Backend implements Tools over Aisle's own parts: the search index, the
// recommendation engine, the store and product Q&A. All fields are
// required.
type Backend struct {
	Index Searcher
	Rec   Recommender
	Items ItemSource
	QA    Asker
}

var _ Tools = (*Backend)(nil)

// Search runs q through the search index.
func (b *Backend) Search(ctx context.Context, q SearchQuery) ([]Item, query.Intent, error) {
	res, err := b.Index.Search(ctx, search.Request{
		Query: q.Query, User: q.User, N: q.N, Brand: q.Brand, Color: q.Color,
		MinPrice: q.MinPrice, MaxPrice: q.MaxPrice,
	})
	if err != nil {
		return nil, query.Intent{}, fmt.Errorf("search: %w", err)
	}
	out := make([]Item, 0, len(res.Items))
	for _, h := range res.Items {
		var why []string
		if len(h.Matched) > 0 {
			why = append(why, "matches "+strings.Join(h.Matched, ", "))
		}
		why = append(why, h.Reasons...)
		out = append(out, Item{ID: h.ID, Title: h.Title, Price: h.Price, Reasons: why})
	}
	return b.fill(ctx, out), res.Intent, nil
}

// Recommend asks the engine for user's recommendations.
func (b *Backend) Recommend(ctx context.Context, user string, n int) ([]Item, error) {
	recs, err := b.Rec.Recommend(ctx, user, aisle.RecommendRequest{N: n})
	if err != nil {
		return nil, fmt.Errorf("recommend: %w", err)
	}
	return b.fill(ctx, recItems(recs)), nil
}

// Similar asks the engine for items like id.
func (b *Backend) Similar(ctx context.Context, id string, n int) ([]Item, error) {
	recs, err := b.Rec.Similar(ctx, id, n)
	if err != nil {
		return nil, fmt.Errorf("similar: %w", err)
	}
	return b.fill(ctx, recItems(recs)), nil
}

// CompleteCart asks the engine what goes with basket.
func (b *Backend) CompleteCart(ctx context.Context, user string, basket []string, n int) ([]Item, error) {
	recs, err := b.Rec.CompleteCart(ctx, aisle.CartRequest{Items: basket, User: user, N: n})
	if err != nil {
		return nil, fmt.Errorf("complete the cart: %w", err)
	}
	return b.fill(ctx, recItems(recs)), nil
}

// Item reads one item from the store.
func (b *Backend) Item(ctx context.Context, id string) (aisle.Item, error) {
	return b.Items.Item(ctx, id)
}

// Ask answers a question about it.
func (b *Backend) Ask(ctx context.Context, it *aisle.Item, question, lang string) (qa.Answer, error) {
	return b.QA.Ask(ctx, it, question, lang)
}

// fill adds each item's brand and category from the store; items the
// store no longer has are dropped.
func (b *Backend) fill(ctx context.Context, items []Item) []Item {
	out := items[:0]
	for _, it := range items {
		full, err := b.Items.Item(ctx, it.ID)
		if err != nil {
			continue
		}
		it.Brand, it.Category = full.Brand, full.Categories
		if it.Price == nil {
			it.Price = full.Price
		}
		if it.Title == "" {
			it.Title = full.Title
		}
		out = append(out, it)
	}
	return out
}

func recItems(recs []aisle.Recommendation) []Item {
	out := make([]Item, 0, len(recs))
	for _, r := range recs {
		out = append(out, Item{ID: r.Item, Title: r.Title, Reasons: r.Reasons})
	}
	return out
}
