package search_test

import (
	"context"
	"fmt"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/search"
)

func Example() {
	x := search.New(search.Config{}, search.Deps{}, nil)
	price := 12.5
	items := []aisle.Item{
		{ID: "s1", Title: "Desk stapler", Brand: "Swingline", Categories: []string{"Office", "Staplers"}, Price: &price},
		{ID: "s2", Title: "Staples, 5000 count", Brand: "Swingline", Categories: []string{"Office", "Staples"}, Description: "For any desk stapler."},
		{ID: "p1", Title: "Gel pen", Brand: "Pilot", Categories: []string{"Office", "Pens"}},
	}
	if err := x.Upsert(items, nil); err != nil {
		fmt.Println(err)
		return
	}
	res, err := x.Search(context.Background(), search.Request{Query: "desk stapler", N: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range res.Items {
		fmt.Println(h.ID, h.Title, h.Matched, h.Sources)
	}
	fmt.Println("total", res.Total, "brands", res.Facets.Brands, "more", res.NextCursor != "")
	// Output:
	// s1 Desk stapler [desk stapler] [bm25]
	// total 2 brands [{Swingline 2}] more true
}
