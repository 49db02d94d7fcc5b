package aisle

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
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
// MaxIDBytes, valid UTF-8, in Unicode normal form C, free of control and
// format characters (which covers bidirectional overrides and zero-width
// characters) and without white space at either end. Ids are compared
// byte for byte, so an id that could look like another is refused rather
// than silently rewritten.
func checkID(field, id string) error {
	if id == "" {
		return FieldErrorf(EINVALID, field, "must not be empty")
	}
	if err := checkString(field, id, MaxIDBytes); err != nil {
		return err
	}
	for i, r := range id {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return FieldErrorf(EINVALID, field, "must not contain control or format characters (%U at byte %d)", r, i)
		}
	}
	if strings.TrimSpace(id) != id {
		return FieldErrorf(EINVALID, field, "must not start or end with white space")
	}
	if !norm.NFC.IsNormalString(id) {
		return FieldErrorf(EINVALID, field, "not in Unicode normal form C: send the composed form (e.g. U+00E9 for é), so that one id names one thing")
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

// checkText is checkString for text people read: it also rejects control
// characters (C0 and C1: BEL, ANSI escapes, ...) other than tab, line
// feed and carriage return, which only multi-line text may hold, and the
// bidirectional embedding, override and isolate controls (U+202A–U+202E,
// U+2066–U+2069), which can make text display as something it is not.
func checkText(field, s string, max int, multiline bool) error {
	if err := checkString(field, s, max); err != nil {
		return err
	}
	for i, r := range s {
		if badTextRune(r, multiline) {
			return FieldErrorf(EINVALID, field, "contains the control character %U at byte %d", r, i)
		}
	}
	return nil
}

// badTextRune reports whether r may not appear in text; see checkText.
func badTextRune(r rune, multiline bool) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return !multiline
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// checkAttributes validates a free key/value attribute map. Errors name
// the attribute ("attributes.color").
func checkAttributes(field string, attrs map[string]string) error {
	if len(attrs) > MaxAttributes {
		return FieldErrorf(EINVALID, field, "more than %d attributes", MaxAttributes)
	}
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if k == "" {
			return FieldErrorf(EINVALID, field, "attribute name must not be empty")
		}
		if err := checkText(field, k, MaxAttrKeyBytes, false); err != nil {
			return FieldErrorf(EINVALID, field, "attribute name %q: %s", truncate(k, 64), strings.TrimPrefix(ErrorMessage(err), field+": "))
		}
		f := field + "." + truncate(k, 64)
		if err := checkText(f, attrs[k], MaxAttrValueBytes, true); err != nil {
			return err
		}
	}
	return nil
}
