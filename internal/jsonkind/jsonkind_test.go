package jsonkind_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/aislehq/aisle/internal/jsonkind"
)

func TestOf(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{"", "a string"},
		{true, "true or false"},
		{int64(1), "an integer"},
		{uint8(1), "an integer"},
		{1.5, "a number"},
		{new(float64), "a number"},
		{[]string{}, "an array"},
		{map[string]string{}, "an object"},
		{struct{}{}, "an object"},
		{time.Time{}, "an RFC 3339 time string"},
	}
	for _, tt := range tests {
		if got := jsonkind.Of(reflect.TypeOf(tt.v)); got != tt.want {
			t.Errorf("Of(%T) = %q, want %q", tt.v, got, tt.want)
		}
	}
	if got := jsonkind.Of(nil); got != "a value" {
		t.Errorf("Of(nil) = %q", got)
	}
}
