package eval

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/assistant"
	"github.com/aislehq/aisle/qa"
	"github.com/aislehq/aisle/recommend"
	"github.com/aislehq/aisle/search"
	"github.com/aislehq/aisle/text/analyze"
	"github.com/aislehq/aisle/text/query"
)

// TaskAssistant is the shopping assistant evaluation (RunAssistant).
const TaskAssistant = "assistant"

// Dialogues is the assistant benchmark: multi-turn dialogues over one
// catalog, each turn with checkable expectations.
type Dialogues struct {
	// Policies is the policy file (relative to the dialogues file) the
	// assistant is given, except in dialogues with NoPolicies.
	Policies  string     `json:"policies"`
	Dialogues []Dialogue `json:"dialogues"`
}

// Dialogue is one conversation.
type Dialogue struct {
	Name string `json:"name"`
	// User is the shopper, "" for an anonymous one.
	User string `json:"user,omitempty"`
	// NoPolicies runs the dialogue with no store policies configured.
	NoPolicies bool           `json:"no_policies,omitempty"`
	Turns      []DialogueTurn `json:"turns"`
}

// DialogueTurn is one message and what its reply must satisfy.
type DialogueTurn struct {
	Say    string `json:"say"`
	Lang   string `json:"lang,omitempty"`
	Expect Expect `json:"expect"`
}

// Expect are a turn's checks; zero fields check nothing.
type Expect struct {
	// Act is the reply's act (assistant.ActResults, ...).
	Act string `json:"act,omitempty"`
	// MinItems is the least number of items the reply must list.
	MinItems int `json:"min_items,omitempty"`
	// NoItems: the reply lists none.
	NoItems bool `json:"no_items,omitempty"`
	// Category: every item's category path or title contains one of these
	// (case-insensitively).
	Category []string `json:"category,omitempty"`
	// Brand: every item is of this brand.
	Brand string `json:"brand,omitempty"`
	// Color: every item's title or description names this colour.
	Color string `json:"color,omitempty"`
	// MaxPrice: every item is priced at most this.
	MaxPrice *float64 `json:"max_price,omitempty"`
	// State are constraints the session must hold after the turn (topic
	// checked by containment).
	State *assistant.Constraints `json:"state,omitempty"`
	// Ref lists the positions (0-based) in the last listed items that the
	// reply's tool call must be about, in order.
	Ref []int `json:"ref,omitempty"`
	// Handoff: the reply has a hand-off action.
	Handoff bool `json:"handoff,omitempty"`
	// Citation: a citation's title contains this (policy section).
	Citation string `json:"citation,omitempty"`
	// Contains: the reply text contains each, case-insensitively.
	Contains []string `json:"contains,omitempty"`
	// Lang is the reply's language.
	Lang string `json:"lang,omitempty"`
	// Tool: an action uses this tool.
	Tool string `json:"tool,omitempty"`
}

// ReadDialogues reads a dialogues file.
func ReadDialogues(path string) (Dialogues, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Dialogues{}, fmt.Errorf("dialogues: %w", err)
	}
	var d Dialogues
	if err := json.Unmarshal(b, &d); err != nil {
		return Dialogues{}, fmt.Errorf("dialogues: %s: %w", path, err)
	}
	return d, nil
}

// AssistantStore is what the assistant benchmark runs over; *sqlite.DB
// is one.
type AssistantStore interface {
	recommend.Store
	search.Source
	qa.QuestionSource
	Item(ctx context.Context, id string) (aisle.Item, error)
}

// AssistantReport is the benchmark's result.
type AssistantReport struct {
	Dialogues       int     `json:"dialogues"`
	Turns           int     `json:"turns"`
	TurnSuccess     float64 `json:"turn_success"`
	DialogueSuccess float64 `json:"dialogue_success"`
	// Failures name the failed turns and why.
	Failures []string `json:"failures,omitempty"`
	// ByAct is the turn success rate per expected act.
	ByAct map[string]float64 `json:"by_act"`
	// Clients replayed every dialogue at once (MeasureTurns), timing
	// TimedTurns turns: TurnP50 and TurnP99 in milliseconds.
	Clients    int     `json:"clients,omitempty"`
	TimedTurns int     `json:"timed_turns,omitempty"`
	TurnP50    float64 `json:"turn_p50_ms,omitempty"`
	TurnP99    float64 `json:"turn_p99_ms,omitempty"`
	// StoredP50 and StoredP99 are the same with every session written to
	// the store after each turn (when the store keeps sessions).
	StoredP50 float64 `json:"stored_turn_p50_ms,omitempty"`
	StoredP99 float64 `json:"stored_turn_p99_ms,omitempty"`
	// ActP99 is the p99 latency in milliseconds of the turns of each act
	// (the reply's).
	ActP99 map[string]float64 `json:"act_p99_ms,omitempty"`
}

// TurnTime is how long one turn took, and the act of its reply.
type TurnTime struct {
	Act  string
	Took time.Duration
}

// MeasureTurns replays every dialogue from clients goroutines at once
// through one built-in assistant over tools, keeping its sessions in
// store when not nil, and returns each turn's latency, in no particular
// order.
func MeasureTurns(ctx context.Context, tools assistant.Tools, d Dialogues, pol assistant.Policies, clients int, store assistant.SessionStore) ([]TurnTime, error) {
	a := assistant.New(tools, assistant.Options{Policies: pol, Store: store})
	var (
		mu    sync.Mutex
		lat   []TurnTime
		first error
		wg    sync.WaitGroup
	)
	for c := range clients {
		wg.Go(func() {
			if err := replay(ctx, a, d, c, &mu, &lat); err != nil {
				mu.Lock()
				first = cmp.Or(first, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return lat, nil
}

// replay runs every dialogue, starting at the c-th, and adds the turns'
// latencies to lat.
func replay(ctx context.Context, a *assistant.Assistant, d Dialogues, c int, mu *sync.Mutex, lat *[]TurnTime) error {
	var mine []TurnTime
	for i := range d.Dialogues {
		dl := d.Dialogues[(i+c)%len(d.Dialogues)]
		session := ""
		for _, tu := range dl.Turns {
			start := time.Now()
			r, err := a.Chat(ctx, assistant.Request{Session: session, User: dl.User, Message: tu.Say, Lang: tu.Lang})
			if err != nil {
				return err
			}
			mine = append(mine, TurnTime{Act: r.Act, Took: time.Since(start)})
			session = r.Session
		}
	}
	mu.Lock()
	*lat = append(*lat, mine...)
	mu.Unlock()
	return nil
}

// percentile returns the p-th percentile (0..1) of the turns' times in
// milliseconds, of those with act keep ("" keeps all).
func percentile(ts []TurnTime, keep string, p float64) float64 {
	var s []time.Duration
	for _, t := range ts {
		if keep == "" || t.Act == keep {
			s = append(s, t.Took)
		}
	}
	if len(s) == 0 {
		return 0
	}
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return float64(s[max(i, 0)]) / float64(time.Millisecond)
}

// AssistantOptions configure RunAssistant.
type AssistantOptions struct {
	// Dialogues is the dialogues file (default
	// assistant/testdata/dialogues.json).
	Dialogues string
	// Query configures query understanding (the CEDICT file).
	Query query.Config
	// Clients is how many replay the dialogues at once to time the turns
	// (default 8).
	Clients int
	JSON    bool
}

// NewAssistantTools opens the built-in tools over db: the recommendation
// engine, the search index and product Q&A, as aisle serve has them. The
// returned close stops them.
func NewAssistantTools(ctx context.Context, db AssistantStore, qcfg query.Config, logger *slog.Logger) (*assistant.Backend, func(), error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	eng := recommend.NewEngine(db, recommend.Deps{}, recommend.Config{}, logger)
	if err := eng.Open(ctx); err != nil {
		return nil, nil, err
	}
	an := analyze.New(analyze.Config{})
	if err := an.Load(); err != nil {
		logger.Warn("Chinese search falls back to characters", "err", err)
	}
	live := search.NewLive(db, an, search.LiveDeps{Personalizer: eng, Popularity: eng, Rules: eng.Rules()}, search.LiveConfig{Query: qcfg}, logger)
	if err := live.Open(ctx); err != nil {
		eng.Close()
		return nil, nil, err
	}
	b := &assistant.Backend{Index: live, Rec: eng, Items: db, QA: qa.New(db, eng, qa.Options{Analyzer: an})}
	return b, func() { live.Close(); eng.Close() }, nil
}

// ScoreDialogues runs the dialogues through the built-in assistant over
// tools (with pol as the store's policies) and scores every turn.
func ScoreDialogues(ctx context.Context, tools assistant.Tools, items func(ctx context.Context, id string) (aisle.Item, error), d Dialogues, pol assistant.Policies) (AssistantReport, error) {
	with := assistant.New(tools, assistant.Options{Policies: pol})
	without := assistant.New(tools, assistant.Options{})
	rep := AssistantReport{Dialogues: len(d.Dialogues), ByAct: map[string]float64{}}
	actTurns := map[string]int{}
	okDialogues, okTurns := 0, 0
	for _, dl := range d.Dialogues {
		a := with
		if dl.NoPolicies {
			a = without
		}
		session, allOK := "", true
		var shown []assistant.Item
		for i, tu := range dl.Turns {
			rep.Turns++
			r, err := a.Chat(ctx, assistant.Request{Session: session, User: dl.User, Message: tu.Say, Lang: tu.Lang})
			var why string
			if err != nil {
				why = err.Error()
			} else {
				session = r.Session
				why = checkTurn(ctx, items, tu.Expect, r, shown)
				if (r.Act == assistant.ActResults || r.Act == assistant.ActCart) && len(r.Items) > 0 && r.Actions[0].Tool != "add_to_cart" {
					shown = r.Items
				}
			}
			act := tu.Expect.Act
			actTurns[act]++
			if why == "" {
				okTurns++
				rep.ByAct[act]++
			} else {
				allOK = false
				rep.Failures = append(rep.Failures, fmt.Sprintf("%s turn %d %q: %s", dl.Name, i+1, tu.Say, why))
			}
		}
		if allOK {
			okDialogues++
		}
	}
	for act, n := range actTurns {
		rep.ByAct[act] /= float64(n)
	}
	if rep.Turns > 0 {
		rep.TurnSuccess = float64(okTurns) / float64(rep.Turns)
	}
	if rep.Dialogues > 0 {
		rep.DialogueSuccess = float64(okDialogues) / float64(rep.Dialogues)
	}
	return rep, nil
}

// checkTurn returns why r fails e ("" when it passes); shown are the items
// listed last before the turn.
func checkTurn(ctx context.Context, items func(ctx context.Context, id string) (aisle.Item, error), e Expect, r assistant.Reply, shown []assistant.Item) string {
	if e.Act != "" && r.Act != e.Act {
		return fmt.Sprintf("act %q, want %q (reply %q)", r.Act, e.Act, firstLine(r.Reply))
	}
	if len(r.Items) < e.MinItems {
		return fmt.Sprintf("%d items, want at least %d", len(r.Items), e.MinItems)
	}
	if e.NoItems && len(r.Items) > 0 {
		return fmt.Sprintf("%d items, want none", len(r.Items))
	}
	if e.Lang != "" && r.Lang != e.Lang {
		return fmt.Sprintf("lang %q, want %q", r.Lang, e.Lang)
	}
	for _, it := range r.Items {
		full, err := items(ctx, it.ID)
		if err != nil {
			return err.Error()
		}
		if len(e.Category) > 0 {
			text := strings.ToLower(strings.Join(full.Categories, " > ") + " " + full.Title)
			if !slices.ContainsFunc(e.Category, func(c string) bool { return strings.Contains(text, strings.ToLower(c)) }) {
				return fmt.Sprintf("item %s %q (%s) is not in %v", it.ID, full.Title, strings.Join(full.Categories, " > "), e.Category)
			}
		}
		if e.Brand != "" && !strings.EqualFold(full.Brand, e.Brand) {
			return fmt.Sprintf("item %s brand %q, want %q", it.ID, full.Brand, e.Brand)
		}
		if e.Color != "" && !namesColour(full, e.Color) {
			return fmt.Sprintf("item %s %q is not %s", it.ID, full.Title, e.Color)
		}
		if e.MaxPrice != nil && (full.Price == nil || *full.Price > *e.MaxPrice) {
			return fmt.Sprintf("item %s price over %g", it.ID, *e.MaxPrice)
		}
	}
	if s := e.State; s != nil {
		got := r.State
		switch {
		case s.Topic != "" && !strings.Contains(got.Topic, s.Topic):
			return fmt.Sprintf("topic %q, want it to contain %q", got.Topic, s.Topic)
		case s.Brand != "" && !strings.EqualFold(got.Brand, s.Brand):
			return fmt.Sprintf("brand %q, want %q", got.Brand, s.Brand)
		case s.Color != "" && got.Color != s.Color:
			return fmt.Sprintf("colour %q, want %q", got.Color, s.Color)
		case s.MaxPrice != nil && (got.MaxPrice == nil || *got.MaxPrice != *s.MaxPrice):
			return fmt.Sprintf("max price %v, want %g", got.MaxPrice, *s.MaxPrice)
		case s.MinPrice != nil && (got.MinPrice == nil || *got.MinPrice != *s.MinPrice):
			return fmt.Sprintf("min price %v, want %g", got.MinPrice, *s.MinPrice)
		}
	}
	if len(e.Ref) > 0 {
		var want []string
		for _, k := range e.Ref {
			if k >= len(shown) {
				return fmt.Sprintf("reference %d: only %d items were shown", k, len(shown))
			}
			want = append(want, shown[k].ID)
		}
		if got := actionItems(r); !slices.Equal(got, want) {
			return fmt.Sprintf("resolved to %v, want %v", got, want)
		}
	}
	if e.Handoff && !slices.ContainsFunc(r.Actions, func(a assistant.Action) bool { return a.Tool == "handoff" }) {
		return "no hand-off action"
	}
	if e.Tool != "" && !slices.ContainsFunc(r.Actions, func(a assistant.Action) bool { return a.Tool == e.Tool }) {
		return fmt.Sprintf("no %s action", e.Tool)
	}
	if e.Citation != "" && !slices.ContainsFunc(r.Citations, func(c assistant.Citation) bool {
		return strings.Contains(strings.ToLower(c.Title), strings.ToLower(e.Citation))
	}) {
		return fmt.Sprintf("no citation of %q", e.Citation)
	}
	for _, c := range e.Contains {
		if !strings.Contains(strings.ToLower(r.Reply), strings.ToLower(c)) {
			return fmt.Sprintf("reply %q lacks %q", firstLine(r.Reply), c)
		}
	}
	return ""
}

// actionItems returns the items the reply's first action is about.
func actionItems(r assistant.Reply) []string {
	for _, a := range r.Actions {
		switch v := a.Arguments["item"].(type) {
		case string:
			return []string{v}
		}
		switch v := a.Arguments["items"].(type) {
		case []string:
			return v
		}
	}
	return nil
}

// namesColour reports whether it's title or description names colour.
func namesColour(it aisle.Item, colour string) bool {
	text := strings.ToLower(it.Title + " " + it.Description)
	if colour == "gray" && strings.Contains(text, "grey") {
		return true
	}
	return strings.Contains(text, colour) || it.Visual != nil && slices.Contains(it.Visual.Colors, colour)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// RunAssistant scores the built-in assistant on the dialogues over db
// (with the catalog imported) and writes the report to w.
func RunAssistant(ctx context.Context, db AssistantStore, opts AssistantOptions, w io.Writer, logger *slog.Logger) error {
	if opts.Dialogues == "" {
		opts.Dialogues = "assistant/testdata/dialogues.json"
	}
	d, err := ReadDialogues(opts.Dialogues)
	if err != nil {
		return err
	}
	var pol assistant.Policies
	if d.Policies != "" {
		p := d.Policies
		if !strings.HasPrefix(p, "/") {
			p = strings.TrimSuffix(opts.Dialogues, "dialogues.json") + p
		}
		if pol, err = assistant.ReadPolicies(p); err != nil {
			return err
		}
	}
	tools, closeTools, err := NewAssistantTools(ctx, db, opts.Query, logger)
	if err != nil {
		return err
	}
	defer closeTools()
	rep, err := ScoreDialogues(ctx, tools, db.Item, d, pol)
	if err != nil {
		return err
	}
	if opts.Clients == 0 {
		opts.Clients = 8
	}
	lat, err := MeasureTurns(ctx, tools, d, pol, opts.Clients, nil)
	if err != nil {
		return err
	}
	if st, ok := db.(assistant.SessionStore); ok {
		stored, err := MeasureTurns(ctx, tools, d, pol, opts.Clients, st)
		if err != nil {
			return err
		}
		rep.StoredP50, rep.StoredP99 = percentile(stored, "", 0.5), percentile(stored, "", 0.99)
	}
	rep.Clients, rep.TimedTurns = opts.Clients, len(lat)
	rep.TurnP50, rep.TurnP99 = percentile(lat, "", 0.5), percentile(lat, "", 0.99)
	rep.ActP99 = map[string]float64{}
	for _, t := range lat {
		if _, ok := rep.ActP99[t.Act]; !ok {
			rep.ActP99[t.Act] = percentile(lat, t.Act, 0.99)
		}
	}
	if opts.JSON {
		return json.NewEncoder(w).Encode(rep)
	}
	fmt.Fprintf(w, "assistant (built-in) on %s: %d dialogues, %d turns\n", opts.Dialogues, rep.Dialogues, rep.Turns)
	fmt.Fprintf(w, "turn success      %.3f\ndialogue success  %.3f\n", rep.TurnSuccess, rep.DialogueSuccess)
	fmt.Fprintf(w, "turn latency at %d clients: p50 %.2f ms, p99 %.2f ms (%d turns)\n", rep.Clients, rep.TurnP50, rep.TurnP99, rep.TimedTurns)
	if rep.StoredP99 > 0 {
		fmt.Fprintf(w, "  with sessions stored:   p50 %.2f ms, p99 %.2f ms\n", rep.StoredP50, rep.StoredP99)
	}
	acts := make([]string, 0, len(rep.ByAct))
	for a := range rep.ByAct {
		acts = append(acts, a)
	}
	slices.Sort(acts)
	for _, a := range acts {
		name := a
		if name == "" {
			name = "(any)"
		}
		fmt.Fprintf(w, "  %-10s %.3f   p99 %.2f ms\n", name, rep.ByAct[a], rep.ActP99[a])
	}
	for _, f := range rep.Failures {
		fmt.Fprintf(w, "FAIL %s\n", f)
	}
	return nil
}
