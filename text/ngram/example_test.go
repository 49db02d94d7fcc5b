package ngram_test

import (
	"context"
	"fmt"

	"github.com/aislehq/aisle/text/ngram"
)

func Example() {
	ctx := context.Background()
	corpus := ngram.Corpus{
		Texts: []string{
			"Blue ballpoint pen\nPilot\nWriting > Pens",
			"Ballpoint pen refill\nPilot\nWriting > Refills",
			"Heavy duty stapler\nSwingline\nDesk Accessories > Staplers",
			"Standard staples, 5000 per box\nSwingline\nDesk Accessories > Staples",
		},
		Pairs:   [][2]int32{{0, 1}, {2, 3}},
		Queries: []ngram.QueryPair{{Query: "staples", Item: 3}},
	}
	m, err := ngram.Train(ctx, corpus, ngram.Config{Dim: 32, Buckets: 1 << 12}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	vecs, err := m.Encode(ctx, []string{"pen refills", ""})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(vecs[0]), vecs[1][0])
	// Output: 32 0
}
