package importer

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aislehq/aisle"
)

// Encodings of aisle-format files.
const (
	encJSONL = "jsonl"
	encCSV   = "csv"
)

// aisleKindOfName returns the kind (from the name's prefix) and encoding
// (from its extension, after an optional .gz) of an aisle-format file name;
// either is "" if the name does not say.
func aisleKindOfName(name string) (kind, enc string) {
	lower := strings.ToLower(name)
	for _, k := range kindOrder {
		if strings.HasPrefix(lower, k) {
			kind = k
			break
		}
	}
	lower = strings.TrimSuffix(lower, ".gz")
	switch filepath.Ext(lower) {
	case ".jsonl", ".ndjson":
		enc = encJSONL
	case ".csv":
		enc = encCSV
	}
	return kind, enc
}

// aislePlan plans the import of one aisle-format file, or of every
// items*, users*, questions* and events* file of a folder, in that order.
// kind, if set, is the kind of a single file, or the only kind taken from a
// folder.
func aislePlan(path, kind string) (*plan, error) {
	dir, err := isDir(path)
	if err != nil {
		return nil, err
	}
	p := &plan{}
	if !dir {
		k, enc := aisleKindOfName(filepath.Base(path))
		if kind != "" {
			k = kind
		}
		if k == "" {
			return nil, fmt.Errorf("%s: cannot tell what the file holds from its name (items*, users*, questions*, events*): give the kind", path)
		}
		if enc == "" {
			return nil, fmt.Errorf("%s: unknown file type (want .jsonl, .ndjson or .csv, optionally gzipped)", path)
		}
		return p, p.addAisleFile(path, k, enc)
	}
	names, err := listDir(path)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, k := range kindOrder {
		for _, name := range names {
			nk, enc := aisleKindOfName(name)
			if nk != k || enc == "" || (kind != "" && nk != kind) {
				continue
			}
			if err := p.addAisleFile(filepath.Join(path, name), k, enc); err != nil {
				return nil, err
			}
			n++
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: no items*, users*, questions* or events* .jsonl or .csv files", path)
	}
	return p, nil
}

// addAisleFile checks one file and adds it as a source of kind k.
func (p *plan) addAisleFile(path, k, enc string) error {
	var err error
	switch k {
	case KindItems:
		p.items, err = appendAisleSource(p.items, path, enc, itemCSV())
	case KindUsers:
		p.users, err = appendAisleSource(p.users, path, enc, userCSV())
	case KindQuestions:
		p.questions, err = appendAisleSource(p.questions, path, enc, questionCSV())
	case KindEvents:
		p.events, err = appendAisleSource(p.events, path, enc, eventCSV())
	}
	return err
}

// appendAisleSource checks the file at path (that it opens and, for CSV,
// that its header is good) and appends it to srcs.
func appendAisleSource[T any](srcs []source[T], path, enc string, schema *csvSchema[T]) ([]source[T], error) {
	if enc == encCSV {
		s, err := csvSource(path, schema)
		if err != nil {
			return nil, err
		}
		return append(srcs, s), nil
	}
	f, err := openFile(path, nil)
	if err != nil {
		return nil, err
	}
	f.Close()
	return append(srcs, jsonlSource[T](path)), nil
}

// itemCSV returns the CSV columns of items. See the package documentation.
func itemCSV() *csvSchema[aisle.Item] {
	return &csvSchema[aisle.Item]{
		required: []string{"id"},
		cols: map[string]func(*aisle.Item, string) error{
			"id":          func(v *aisle.Item, s string) error { v.ID = s; return nil },
			"title":       func(v *aisle.Item, s string) error { v.Title = s; return nil },
			"description": func(v *aisle.Item, s string) error { v.Description = s; return nil },
			"brand":       func(v *aisle.Item, s string) error { v.Brand = s; return nil },
			"categories": func(v *aisle.Item, s string) error {
				v.Categories = splitList(s, CSVCategorySep)
				return nil
			},
			"price": func(v *aisle.Item, s string) error {
				p, err := parseOptFloat("price", s)
				v.Price = p
				return err
			},
			"currency":     func(v *aisle.Item, s string) error { v.Currency = s; return nil },
			"availability": func(v *aisle.Item, s string) error { v.Availability = aisle.Availability(s); return nil },
			"images": func(v *aisle.Item, s string) error {
				v.Images = splitList(s, CSVImageSep)
				return nil
			},
		},
		prefix: CSVAttrPrefix,
		setPrefixed: func(v *aisle.Item, name, s string) {
			v.Attributes = setAttr(v.Attributes, name, s)
		},
	}
}

// userCSV returns the CSV columns of users.
func userCSV() *csvSchema[aisle.User] {
	return &csvSchema[aisle.User]{
		required: []string{"id"},
		cols: map[string]func(*aisle.User, string) error{
			"id": func(v *aisle.User, s string) error { v.ID = s; return nil },
		},
		prefix: CSVAttrPrefix,
		setPrefixed: func(v *aisle.User, name, s string) {
			v.Attributes = setAttr(v.Attributes, name, s)
		},
	}
}

// eventCSV returns the CSV columns of events.
func eventCSV() *csvSchema[aisle.Event] {
	return &csvSchema[aisle.Event]{
		required: []string{"user", "type"},
		cols: map[string]func(*aisle.Event, string) error{
			"id":   func(v *aisle.Event, s string) error { v.ID = s; return nil },
			"user": func(v *aisle.Event, s string) error { v.User = s; return nil },
			"item": func(v *aisle.Event, s string) error { v.Item = s; return nil },
			"type": func(v *aisle.Event, s string) error { v.Type = aisle.EventType(s); return nil },
			"timestamp": func(v *aisle.Event, s string) error {
				t, err := parseTime("timestamp", s)
				v.Time = t
				return err
			},
			"value": func(v *aisle.Event, s string) error {
				f, err := parseOptFloat("value", s)
				v.Value = f
				return err
			},
			"query":   func(v *aisle.Event, s string) error { v.Query = s; return nil },
			"name":    func(v *aisle.Event, s string) error { v.Name = s; return nil },
			"session": func(v *aisle.Event, s string) error { v.Session = s; return nil },
		},
		prefix: CSVContextPrefix,
		setPrefixed: func(v *aisle.Event, name, s string) {
			v.Context = setAttr(v.Context, name, s)
		},
	}
}

// questionCSV returns the CSV columns of questions.
func questionCSV() *csvSchema[aisle.Question] {
	return &csvSchema[aisle.Question]{
		required: []string{"id", "item", "question"},
		cols: map[string]func(*aisle.Question, string) error{
			"id":          func(v *aisle.Question, s string) error { v.ID = s; return nil },
			"item":        func(v *aisle.Question, s string) error { v.Item = s; return nil },
			"type":        func(v *aisle.Question, s string) error { v.Type = s; return nil },
			"question":    func(v *aisle.Question, s string) error { v.Question = s; return nil },
			"answer":      func(v *aisle.Question, s string) error { v.Answer = s; return nil },
			"answer_type": func(v *aisle.Question, s string) error { v.AnswerType = s; return nil },
			"answered_at": func(v *aisle.Question, s string) error {
				t, err := parseTime("answered_at", s)
				v.AnsweredAt = t
				return err
			},
		},
	}
}

// Separators and column prefixes of the aisle CSV format.
const (
	// CSVCategorySep joins an item's category path in one CSV cell.
	CSVCategorySep = " > "
	// CSVImageSep joins an item's image references in one CSV cell.
	CSVImageSep = "|"
	// CSVAttrPrefix starts item and user attribute columns: attr.color.
	CSVAttrPrefix = "attr."
	// CSVContextPrefix starts event context columns: ctx.page.
	CSVContextPrefix = "ctx."
)

// splitList splits a CSV cell joined with sep, trimming white space around
// each part; an empty cell is an empty list.
func splitList(s, sep string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, sep)
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// setAttr sets m[name] = s, creating m; an empty s sets nothing (a CSV cell
// cannot tell empty from absent).
func setAttr(m map[string]string, name, s string) map[string]string {
	if s == "" {
		return m
	}
	if m == nil {
		m = make(map[string]string)
	}
	m[name] = s
	return m
}

// parseOptFloat parses an optional number; "" is nil.
func parseOptFloat(field, s string) (*float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("%s: not a number: %q", field, s)
	}
	return &f, nil
}

// parseTime parses an optional RFC 3339 time or integer unix seconds; ""
// is the zero time.
func parseTime(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if isInteger(s) {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil || sec < -1<<40 || sec > 1<<40 {
			return time.Time{}, fmt.Errorf("%s: unix time out of range: %s", field, s)
		}
		return time.Unix(sec, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: want an RFC 3339 time or unix seconds, got %q", field, s)
	}
	return t, nil
}

// isInteger reports whether s is an optional minus sign and decimal digits.
func isInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
