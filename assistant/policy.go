package assistant

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aislehq/aisle"
)

// MaxPolicyBytes bounds a policy document.
const MaxPolicyBytes = 1 << 20

// Section is one topic of the store's policies: a heading and the text
// under it, quoted as written.
type Section struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Policies are the store's policies (shipping, returns, warranty,
// payment…), one Section per topic. The zero value has none.
type Policies struct {
	Sections []Section
}

// ReadPolicies reads a policy document: YAML when the file's name ends in
// .yaml or .yml, Markdown otherwise.
func ReadPolicies(path string) (Policies, error) {
	f, err := os.Open(path)
	if err != nil {
		return Policies{}, fmt.Errorf("policies: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxPolicyBytes+1))
	if err != nil {
		return Policies{}, fmt.Errorf("policies: %w", err)
	}
	if len(b) > MaxPolicyBytes {
		return Policies{}, fmt.Errorf("policies: %s is over %d bytes", path, MaxPolicyBytes)
	}
	var p Policies
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		p, err = ParseYAMLPolicies(string(b))
	default:
		p, err = ParseMarkdownPolicies(string(b))
	}
	if err != nil {
		return Policies{}, fmt.Errorf("policies: %s: %w", path, err)
	}
	return p, nil
}

// ParseMarkdownPolicies reads Markdown whose "#" or "##" headings name
// the topics: each heading's section is the text up to the next heading
// of those levels (deeper headings stay in the text). Text before the
// first heading is ignored. A document with no heading, or with a heading
// and no text under any, is an error.
func ParseMarkdownPolicies(doc string) (Policies, error) {
	if !utf8.ValidString(doc) {
		return Policies{}, aisle.Errorf(aisle.EINVALID, "policies are not UTF-8")
	}
	var p Policies
	var cur *Section
	var body []string
	flush := func() {
		if cur != nil {
			cur.Text = strings.TrimSpace(strings.Join(body, "\n"))
			if cur.Text != "" {
				p.Sections = append(p.Sections, *cur)
			}
		}
		body = body[:0]
	}
	sc := bufio.NewScanner(strings.NewReader(doc))
	sc.Buffer(make([]byte, 0, 64<<10), MaxPolicyBytes+1)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if t, ok := heading(line); ok {
			flush()
			cur = &Section{Title: t}
			continue
		}
		if cur != nil {
			body = append(body, line)
		}
	}
	if err := sc.Err(); err != nil {
		return Policies{}, err
	}
	flush()
	if len(p.Sections) == 0 {
		return Policies{}, aisle.Errorf(aisle.EINVALID, "no \"#\" or \"##\" heading with text under it")
	}
	return p, nil
}

// heading returns the title of a "# title" or "## title" line.
func heading(line string) (string, bool) {
	for _, h := range []string{"## ", "# "} {
		if strings.HasPrefix(line, h) {
			t := strings.TrimSpace(strings.Trim(strings.TrimSpace(line[len(h):]), "#"))
			return t, t != ""
		}
	}
	return "", false
}

// ParseYAMLPolicies reads the YAML subset policy files use: a mapping of
// topics to text, each "topic: text" on one line, or "topic: |" (or ">")
// followed by indented lines. Comments (#) and blank lines between topics
// are skipped; quotes around a one-line value are removed. Anything else
// is an error naming the line.
func ParseYAMLPolicies(doc string) (Policies, error) {
	if !utf8.ValidString(doc) {
		return Policies{}, aisle.Errorf(aisle.EINVALID, "policies are not UTF-8")
	}
	var p Policies
	lines := strings.Split(strings.ReplaceAll(doc, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \t\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || trimmed == "---" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			return Policies{}, aisle.Errorf(aisle.EINVALID, "line %d: indented text outside a block", i+1)
		}
		key, val, ok := strings.Cut(line, ":")
		key = unquote(strings.TrimSpace(key))
		if !ok || key == "" {
			return Policies{}, aisle.Errorf(aisle.EINVALID, "line %d: want \"topic: text\"", i+1)
		}
		val = strings.TrimSpace(val)
		if val == "|" || val == ">" || val == "|-" || val == ">-" {
			var block []string
			for i+1 < len(lines) {
				next := strings.TrimRight(lines[i+1], " \t\r")
				if next != "" && next[0] != ' ' && next[0] != '\t' {
					break
				}
				block = append(block, strings.TrimSpace(next))
				i++
			}
			sep := "\n"
			if val[0] == '>' {
				sep = " "
			}
			val = strings.TrimSpace(strings.Join(block, sep))
		} else {
			val = unquote(val)
		}
		if val == "" {
			return Policies{}, aisle.Errorf(aisle.EINVALID, "line %d: topic %q has no text", i+1, key)
		}
		p.Sections = append(p.Sections, Section{Title: key, Text: val})
	}
	if len(p.Sections) == 0 {
		return Policies{}, aisle.Errorf(aisle.EINVALID, "no \"topic: text\" entry")
	}
	return p, nil
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// policyTopics maps a topic to the words that ask about it, English and
// Chinese; a section matches a topic when its title has one of them.
var policyTopics = [][]string{
	{"shipping", "delivery", "deliver", "ship", "postage", "运费", "配送", "发货", "快递", "包邮", "送货"},
	{"return", "returns", "refund", "exchange", "退货", "退款", "换货"},
	{"warranty", "guarantee", "repair", "保修", "质保", "维修"},
	{"payment", "pay", "paypal", "installment", "instalment", "付款", "支付"},
	{"privacy", "data", "隐私"},
	{"contact", "hours", "phone", "email", "联系", "电话"},
}

// Lookup returns the sections that answer a question about the store's
// policies, best first: those whose title shares a topic with the
// question, else those whose title words appear in it. None when nothing
// matches.
func (p Policies) Lookup(question string) []Section {
	q := strings.ToLower(question)
	var out []Section
	for _, s := range p.Sections {
		title := strings.ToLower(s.Title)
		for _, words := range policyTopics {
			if containsAny(q, words) && containsAny(title, words) {
				out = append(out, s)
				break
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, s := range p.Sections {
		for _, w := range strings.FieldsFunc(strings.ToLower(s.Title), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if utf8.RuneCountInString(w) >= 4 && strings.Contains(q, w) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// policyProducts are products whose names hold a policy word: "shipping
// labels" is a search, not a shipping question.
var policyProducts = []string{"shipping label", "shipping tape", "shipping box", "shipping supplies", "shipping envelope", "return address", "delivery box", "payment book", "快递袋", "快递单"}

// asksPolicy reports whether a message asks about a store policy.
func asksPolicy(msg string) bool {
	for _, words := range policyTopics[:4] {
		if containsAny(msg, words) {
			return true
		}
	}
	return false
}
