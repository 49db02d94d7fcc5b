package search

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// lastRequest is a searcher that remembers the request it got.
type lastRequest struct{ req Request }

func (l *lastRequest) Search(ctx context.Context, req Request) (Result, error) {
	l.req = req
	return Result{}, nil
}

// redText is a text tower that puts texts about red on the first axis
// and anything else on the third.
type redText struct{ err error }

func (r redText) Encode(ctx context.Context, texts []string) ([][]float32, error) {
	if r.err != nil {
		return nil, r.err
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = []float32{0, 0, 1}
		if strings.Contains(t, "red") {
			out[i] = []float32{1, 0, 0}
		}
	}
	return out, nil
}

func TestTextToImageEncodesTheQuery(t *testing.T) {
	ctx := context.Background()
	last := &lastRequest{}
	s := TextToImage{last, redText{}}
	if _, err := s.Search(ctx, Request{Query: "red dress"}); err != nil {
		t.Fatal(err)
	}
	if len(last.req.Image) != 3 || last.req.Image[0] < 0.9 {
		t.Errorf("query vector %v, want the text tower's", last.req.Image)
	}
	photo := []float32{0, 0, 1}
	s.Search(ctx, Request{Query: "red", Image: photo})
	if last.req.Image[2] != 1 {
		t.Error("a photo's vector was replaced by the query's")
	}
	last.req = Request{}
	s.Search(ctx, Request{Category: "shoes"})
	if last.req.Image != nil {
		t.Errorf("a request without a query got the vector %v", last.req.Image)
	}
	broken := errors.New("no text tower")
	if _, err := (TextToImage{last, redText{err: broken}}).Search(ctx, Request{Query: "red"}); !errors.Is(err, broken) {
		t.Errorf("encoder error: got %v", err)
	}
}
