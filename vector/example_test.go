package vector_test

import (
	"fmt"

	"github.com/aislehq/aisle/vector"
)

func Example() {
	idx := vector.New(3, vector.Config{})
	idx.Add(10, []float32{1, 0, 0})
	idx.Add(11, []float32{0.8, 0.6, 0})
	idx.Add(12, []float32{0, 0, 1})
	idx.Delete(12)

	q := []float32{1, 0, 0}
	fmt.Println(idx.Search(q, 5, nil))
	fmt.Println(idx.Search(q, 5, func(id int32) bool { return id != 10 }))
	// Output:
	// [{10 1} {11 0.8}]
	// [{11 0.8}]
}
