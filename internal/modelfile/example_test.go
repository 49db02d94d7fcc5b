package modelfile_test

import (
	"errors"
	"fmt"

	"github.com/aislehq/aisle/internal/modelfile"
)

// ErrWidgetFormat is the example format's own sentinel.
var ErrWidgetFormat = errors.New("not a widget model")

var widgetFormat = modelfile.Format{Magic: "AISLWDGT", Version: 1, Err: ErrWidgetFormat}

// A format writes its payload through an Encoder and reads it back through
// a Decoder, which bounds every length by what remains.
func Example() {
	e := widgetFormat.NewEncoder(0)
	e.String("weights")
	weights := []float32{0.5, -1, 2}
	e.Uint32(uint32(len(weights)))
	e.Float32s(weights)
	data, _ := e.Finish()

	d, err := widgetFormat.Open(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	name := d.String(64)
	got := d.FiniteFloat32s(uint64(d.Uint32()))
	if err := d.Finish(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(name, got, len(data))

	data[len(data)-1] ^= 1
	_, err = widgetFormat.Open(data)
	fmt.Println(errors.Is(err, ErrWidgetFormat), errors.Is(err, modelfile.ErrCorrupt))
	// Output:
	// weights [0.5 -1 2] 43
	// true true
}
