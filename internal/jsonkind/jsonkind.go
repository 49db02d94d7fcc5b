// Package jsonkind names, in words a client can act on, the JSON form a Go
// type is decoded from — for error messages about encoding/json's
// *json.UnmarshalTypeError ("price: must be a number, not string").
package jsonkind

import (
	"reflect"
	"time"
)

// Of names the JSON form values of type t take: "a string", "an integer",
// "a number", "true or false", "an array", "an RFC 3339 time string" or
// "an object". A nil t is "a value".
func Of(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return "an RFC 3339 time string"
		}
		return "an object"
	}
	return t.String()
}
