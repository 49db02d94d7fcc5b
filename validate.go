package aisle

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on the size of stored strings and collections. They are part of
// the API contract (documented in the OpenAPI spec and README): input over a
// limit is rejected with EINVALID naming the field, never truncated.
const (
	MaxIDBytes          = 256
	MaxTitleBytes       = 2048
	MaxDescriptionBytes = 64 << 10
	MaxBrandBytes       = 256
	MaxCategoryDepth    = 16
	MaxCategoryBytes    = 256
	MaxAttributes       = 64
	MaxAttrKeyBytes     = 128
	MaxAttrValueBytes   = 4096
	MaxImages           = 32
	MaxImageRefBytes    = 2048
	MaxQueryBytes       = 1024
	MaxTextBytes        = 64 << 10 // questions and answers
)

// checkID reports whether id is a usable identifier: non-empty, at most
// MaxIDBytes, valid UTF-8 and free of control characters.
func checkID(field, id string) error {
	if id == "" {
		return FieldErrorf(EINVALID, field, "must not be empty")
	}
	if err := checkString(field, id, MaxIDBytes); err != nil {
		return err
	}
	for _, r := range id {
		if unicode.IsControl(r) {
			return FieldErrorf(EINVALID, field, "must not contain control characters")
		}
	}
	if strings.TrimSpace(id) != id {
		return FieldErrorf(EINVALID, field, "must not start or end with white space")
	}
	return nil
}

// ValidateID reports whether id is a valid item, user or event identifier;
// field names it in the error.
func ValidateID(field, id string) error { return checkID(field, id) }

// checkString rejects invalid UTF-8, NUL bytes and strings over max bytes.
func checkString(field, s string, max int) error {
	if len(s) > max {
		return FieldErrorf(EINVALID, field, "longer than %d bytes", max)
	}
	if !utf8.ValidString(s) {
		return FieldErrorf(EINVALID, field, "not valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return FieldErrorf(EINVALID, field, "contains a NUL byte")
	}
	return nil
}

// checkAttributes validates a free key/value attribute map.
func checkAttributes(field string, attrs map[string]string) error {
	if len(attrs) > MaxAttributes {
		return FieldErrorf(EINVALID, field, "more than %d attributes", MaxAttributes)
	}
	for k, v := range attrs {
		if k == "" {
			return FieldErrorf(EINVALID, field, "attribute name must not be empty")
		}
		if err := checkString(field, k, MaxAttrKeyBytes); err != nil {
			return err
		}
		if err := checkString(fmt.Sprintf("%s.%s", field, k), v, MaxAttrValueBytes); err != nil {
			return err
		}
	}
	return nil
}
