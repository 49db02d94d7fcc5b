package assistant

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/grounding"
	"github.com/aislehq/aisle/openai"
)

// Limits of a request.
const (
	// MaxMessageBytes bounds a shopper's message.
	MaxMessageBytes = 4 << 10
	// MaxSessionBytes bounds a session id.
	MaxSessionBytes = 64
	// MaxUserBytes bounds a user id.
	MaxUserBytes = 256
)

// Acts say what kind of reply a turn got.
const (
	ActResults  = "results"  // items found, recommended or similar
	ActClarify  = "clarify"  // a clarifying question: the request was too vague
	ActDetails  = "details"  // one item's facts
	ActAnswer   = "answer"   // a product question answered
	ActCompare  = "compare"  // a side-by-side table of 2-3 items
	ActCart     = "cart"     // the cart changed, or items that complete it
	ActPolicy   = "policy"   // a quote from the store's policies
	ActRefuse   = "refuse"   // off-topic or unsafe: a polite redirect
	ActHandoff  = "handoff"  // handed to a person
	ActGreeting = "greeting" // a greeting or thanks
)

// Request is one turn of a conversation.
type Request struct {
	// Session continues a conversation; "" starts one.
	Session string `json:"session"`
	// User is the shopper, when known: searches and views are logged as
	// their events, and recommendations are theirs.
	User string `json:"user"`
	// Message is what the shopper wrote (1..MaxMessageBytes of UTF-8).
	Message string `json:"message"`
	// Lang is "en" or "zh"; "" answers in the message's language.
	Lang string `json:"lang"`
}

// Action is one tool the assistant used, with its arguments.
type Action struct {
	Tool      string         `json:"tool"`
	Arguments map[string]any `json:"arguments"`
}

// Citation is a source a reply quotes: a policy section or an item.
type Citation struct {
	Kind  string `json:"kind"` // "policy", "item" or "question"
	Title string `json:"title,omitempty"`
	ID    string `json:"id,omitempty"`
	Text  string `json:"text,omitempty"`
}

// Table is a side-by-side comparison: one column per item, one row per
// fact.
type Table struct {
	Items []string `json:"items"`
	Rows  []Row    `json:"rows"`
}

// Row is one fact across the compared items ("" where an item lacks it).
type Row struct {
	Fact   string   `json:"fact"`
	Values []string `json:"values"`
}

// Constraints are what the shopper asked for across turns.
type Constraints struct {
	Topic    string   `json:"topic,omitempty"`
	Brand    string   `json:"brand,omitempty"`
	Color    string   `json:"color,omitempty"`
	MinPrice *float64 `json:"min_price,omitempty"`
	MaxPrice *float64 `json:"max_price,omitempty"`
	Sort     string   `json:"sort,omitempty"`
}

// Reply is the assistant's answer to one turn.
type Reply struct {
	Session   string      `json:"session"`
	Reply     string      `json:"reply"`
	Lang      string      `json:"lang"`
	Act       string      `json:"act"`
	Items     []Item      `json:"items"`
	Actions   []Action    `json:"actions"`
	Citations []Citation  `json:"citations"`
	Table     *Table      `json:"table,omitempty"`
	State     Constraints `json:"state"`
	// Mode says who wrote the reply: ModeBuiltin or ModeLLM.
	Mode string `json:"mode,omitempty"`
}

// Turn is one exchange of a session.
type Turn struct {
	Time    time.Time `json:"time"`
	Message string    `json:"message"`
	Reply   Reply     `json:"reply"`
}

// SessionView is a session as GET /v1/chat/{session} shows it.
type SessionView struct {
	ID      string      `json:"session"`
	User    string      `json:"user,omitempty"`
	Created time.Time   `json:"created"`
	Updated time.Time   `json:"updated"`
	State   Constraints `json:"state"`
	Cart    []string    `json:"cart"`
	Turns   []Turn      `json:"turns"`
}

// EventLog records the shopper's events made through the assistant
// (searches, views, hand-offs). Implementations must be safe for
// concurrent use and must not create shoppers.
type EventLog interface {
	Log(ctx context.Context, events []aisle.Event)
}

// Options configure an Assistant. Zero fields take the defaults.
type Options struct {
	// Policies are the store's policies; none means policy questions get
	// "I don't know" and a hand-off offer.
	Policies Policies
	// Events, when set, is told of the shopper's searches, views and
	// hand-offs.
	Events EventLog
	// Idle is how long a session lives without a turn (default 30m).
	Idle time.Duration
	// MaxSessions caps the sessions kept (default 10000); the least
	// recently used goes first.
	MaxSessions int
	// MaxTurns caps the turns a session keeps (default 50); older turns
	// are forgotten, the constraints stay.
	MaxTurns int
	// N is how many items a reply shows (default 5).
	N int
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Store, when set, keeps every session after each turn, so that
	// sessions outlive the process and the memory cap: a session not in
	// memory is read back from it (unless idle for longer than Idle).
	Store SessionStore
	// Model, when set, answers turns (mode "llm"): it is shown the
	// conversation and calls the same tools the built-in manager uses,
	// and its text keeps only the claims the tools' results support. A
	// turn it fails (an error, a broken stream, too many tool rounds, an
	// empty reply) or does not finish within ModelTimeout gets the
	// built-in answer. Nil: every reply is built in.
	Model Model
	// ModelTimeout bounds a model turn, all its rounds and tools
	// together (default 10s).
	ModelTimeout time.Duration
	// Checker checks the model's claims (see grounding.Checker); nil
	// means one that knows only each item's own brand.
	Checker *grounding.Checker
}

// SessionStore keeps the assistant's sessions; *sqlite.DB is one.
// Implementations must be safe for concurrent use.
type SessionStore interface {
	// PutChatSession creates or replaces a session.
	PutChatSession(ctx context.Context, id, user string, updated time.Time, body []byte) error
	// ChatSession reads one back; ENOTFOUND when there is none.
	ChatSession(ctx context.Context, id string) (user string, updated time.Time, body []byte, err error)
	// DeleteChatSession removes one; ENOTFOUND when there is none.
	DeleteChatSession(ctx context.Context, id string) error
	// DeleteChatSessionsBefore removes those whose last turn was before t.
	DeleteChatSessionsBefore(ctx context.Context, t time.Time) (int, error)
}

// savedSession is a session as the SessionStore keeps it.
type savedSession struct {
	Created time.Time   `json:"created"`
	State   Constraints `json:"state"`
	Shown   []Item      `json:"shown,omitempty"`
	Focus   []string    `json:"focus,omitempty"`
	Cart    []string    `json:"cart,omitempty"`
	Turns   []Turn      `json:"turns"`
}

// save writes s to the store, when there is one; s.mu must be held.
func (a *Assistant) save(ctx context.Context, s *session, now time.Time) error {
	if a.opts.Store == nil {
		return nil
	}
	body, err := json.Marshal(savedSession{Created: s.created, State: s.state, Shown: s.shown, Focus: s.focus, Cart: s.cart, Turns: s.turns})
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	if err := a.opts.Store.PutChatSession(ctx, s.id, s.user, now, body); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// load reads session id back from the store: ENOTFOUND naming "session"
// when there is no store, no such session, or it expired (then it is
// removed).
func (a *Assistant) load(ctx context.Context, id string, now time.Time) (*session, error) {
	notFound := aisle.FieldErrorf(aisle.ENOTFOUND, "session", "no session %q (it may have expired)", id)
	if a.opts.Store == nil {
		return nil, notFound
	}
	user, updated, body, err := a.opts.Store.ChatSession(ctx, id)
	if aisle.ErrorCode(err) == aisle.ENOTFOUND {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	if now.Sub(updated) > a.opts.Idle {
		if err := a.opts.Store.DeleteChatSession(ctx, id); err != nil && aisle.ErrorCode(err) != aisle.ENOTFOUND {
			return nil, fmt.Errorf("expire session: %w", err)
		}
		return nil, notFound
	}
	var saved savedSession
	if err := json.Unmarshal(body, &saved); err != nil {
		return nil, fmt.Errorf("read session %q: %w", id, err)
	}
	return &session{id: id, user: user, created: saved.Created, used: updated, state: saved.State,
		shown: saved.Shown, focus: saved.Focus, cart: saved.Cart, turns: saved.Turns}, nil
}

// Assistant is the shopping assistant: it keeps each session's state and
// answers turns with Tools, by the built-in dialogue manager or, with
// Options.Model, by the model calling the same tools. It is safe for
// concurrent use.
type Assistant struct {
	tools      Tools
	opts       Options
	checker    *grounding.Checker
	modelTools []openai.Tool

	// policyPrepared are the store policies' sections as fact sheets
	// for the claim checker, made once (policyOnce).
	policyOnce     sync.Once
	policyPrepared []*grounding.Prepared

	// sheets caches listed items' prepared fact sheets (prepare).
	sheetMu sync.Mutex
	sheets  map[string]*grounding.Prepared

	mu       sync.Mutex
	sessions map[string]*session
	calls    int
}

// session is one conversation; mu serialises its turns.
type session struct {
	mu      sync.Mutex
	id      string
	user    string
	created time.Time
	used    time.Time // guarded by Assistant.mu
	state   Constraints
	shown   []Item   // the last items listed, in order
	focus   []string // the items the last turn was about
	cart    []string
	turns   []Turn
}

// New returns an Assistant over tools.
func New(tools Tools, opts Options) *Assistant {
	if opts.Idle <= 0 {
		opts.Idle = 30 * time.Minute
	}
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = 10000
	}
	if opts.MaxTurns <= 0 {
		opts.MaxTurns = 50
	}
	if opts.N <= 0 {
		opts.N = 5
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ModelTimeout <= 0 {
		opts.ModelTimeout = 10 * time.Second
	}
	a := &Assistant{tools: tools, opts: opts, checker: opts.Checker, sessions: make(map[string]*session), sheets: make(map[string]*grounding.Prepared)}
	if a.checker == nil {
		a.checker = grounding.NewChecker(nil)
	}
	if opts.Model != nil {
		a.modelTools = modelTools()
	}
	return a
}

// CheckRequest validates req: an error naming the field for an empty or
// over-long message, a bad lang, session or user.
func CheckRequest(req Request) error {
	switch {
	case strings.TrimSpace(req.Message) == "":
		return aisle.FieldErrorf(aisle.EINVALID, "message", "is required")
	case len(req.Message) > MaxMessageBytes:
		return aisle.FieldErrorf(aisle.EINVALID, "message", "is over %d bytes", MaxMessageBytes)
	case !utf8.ValidString(req.Message):
		return aisle.FieldErrorf(aisle.EINVALID, "message", "is not UTF-8")
	case req.Lang != "" && req.Lang != "en" && req.Lang != "zh":
		return aisle.FieldErrorf(aisle.EINVALID, "lang", "must be en or zh")
	case len(req.Session) > MaxSessionBytes:
		return aisle.FieldErrorf(aisle.EINVALID, "session", "is over %d bytes", MaxSessionBytes)
	case len(req.User) > MaxUserBytes:
		return aisle.FieldErrorf(aisle.EINVALID, "user", "is over %d bytes", MaxUserBytes)
	}
	return nil
}

// Chat answers one turn. An unknown or expired session is ENOTFOUND
// naming "session"; a session of another user is EINVALID naming "user".
func (a *Assistant) Chat(ctx context.Context, req Request) (Reply, error) {
	if err := CheckRequest(req); err != nil {
		return Reply{}, err
	}
	s, err := a.open(ctx, req)
	if err != nil {
		return Reply{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rep, err := a.answer(ctx, s, req)
	if err != nil {
		return Reply{}, err
	}
	rep.Session = s.id
	rep.State = s.state
	if rep.Items == nil {
		rep.Items = []Item{}
	}
	for i := range rep.Items {
		if rep.Items[i].Reasons == nil {
			rep.Items[i].Reasons = []string{}
		}
	}
	if rep.Actions == nil {
		rep.Actions = []Action{}
	}
	if rep.Citations == nil {
		rep.Citations = []Citation{}
	}
	s.turns = append(s.turns, Turn{Time: a.opts.Now(), Message: req.Message, Reply: rep})
	if over := len(s.turns) - a.opts.MaxTurns; over > 0 {
		s.turns = append(s.turns[:0:0], s.turns[over:]...)
	}
	now := a.opts.Now()
	if err := a.save(ctx, s, now); err != nil {
		return Reply{}, err
	}
	if a.opts.Store != nil && a.sweepDue() {
		// Expired sessions are refused when read back; this only
		// reclaims their rows, and a failure waits for the next sweep.
		_, _ = a.opts.Store.DeleteChatSessionsBefore(ctx, now.Add(-a.opts.Idle))
	}
	return rep, nil
}

// sweepDue reports whether the store's expired sessions are due to be
// removed: every 256th turn.
func (a *Assistant) sweepDue() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls%256 == 0
}

// open returns req's session (read back from the store when it is not
// in memory), starting one when req names none.
func (a *Assistant) open(ctx context.Context, req Request) (*session, error) {
	now := a.opts.Now()
	a.mu.Lock()
	a.calls++
	if a.calls%64 == 0 || len(a.sessions) >= a.opts.MaxSessions {
		a.expireLocked(now)
	}
	var s *session
	if req.Session != "" {
		var ok bool
		s, ok = a.sessions[req.Session]
		if ok && now.Sub(s.used) > a.opts.Idle {
			delete(a.sessions, req.Session)
			ok = false
		}
		if !ok {
			a.mu.Unlock()
			loaded, err := a.load(ctx, req.Session, now)
			if err != nil {
				return nil, err
			}
			a.mu.Lock()
			if s, ok = a.sessions[req.Session]; !ok {
				s = loaded
				a.makeRoomLocked()
				a.sessions[s.id] = s
			}
		}
		if s.user != "" && req.User != "" && s.user != req.User {
			a.mu.Unlock()
			return nil, aisle.FieldErrorf(aisle.EINVALID, "user", "session %q belongs to another user", req.Session)
		}
	} else {
		var b [12]byte
		_, _ = rand.Read(b[:])
		s = &session{id: hex.EncodeToString(b[:]), user: req.User, created: now}
		a.makeRoomLocked()
		a.sessions[s.id] = s
	}
	s.used = now
	a.mu.Unlock()
	return s, nil
}

// makeRoomLocked forgets the least recently used sessions until one more
// fits under opts.MaxSessions (a store keeps them).
func (a *Assistant) makeRoomLocked() {
	for len(a.sessions) >= a.opts.MaxSessions {
		var oldest *session
		for _, s := range a.sessions {
			if oldest == nil || s.used.Before(oldest.used) {
				oldest = s
			}
		}
		delete(a.sessions, oldest.id)
	}
}

// expireLocked forgets the sessions idle for longer than opts.Idle.
func (a *Assistant) expireLocked(now time.Time) {
	for id, s := range a.sessions {
		if now.Sub(s.used) > a.opts.Idle {
			delete(a.sessions, id)
		}
	}
}

// Session returns a session's state and turns; ENOTFOUND naming
// "session" when it does not exist or expired.
func (a *Assistant) Session(ctx context.Context, id string) (SessionView, error) {
	now := a.opts.Now()
	a.mu.Lock()
	s, ok := a.sessions[id]
	if ok && now.Sub(s.used) > a.opts.Idle {
		delete(a.sessions, id)
		ok = false
	}
	a.mu.Unlock()
	if !ok {
		var err error
		if s, err = a.load(ctx, id, now); err != nil {
			return SessionView{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a.mu.Lock()
	used := s.used
	a.mu.Unlock()
	return SessionView{ID: s.id, User: s.user, Created: s.created, Updated: used, State: s.state,
		Cart: append([]string{}, s.cart...), Turns: append([]Turn{}, s.turns...)}, nil
}

// Delete forgets a session, in memory and in the store; ENOTFOUND naming
// "session" when neither has it.
func (a *Assistant) Delete(ctx context.Context, id string) error {
	a.mu.Lock()
	_, inMemory := a.sessions[id]
	delete(a.sessions, id)
	a.mu.Unlock()
	if a.opts.Store != nil {
		err := a.opts.Store.DeleteChatSession(ctx, id)
		switch {
		case aisle.ErrorCode(err) == aisle.ENOTFOUND && inMemory:
		case err != nil:
			return err
		}
		return nil
	}
	if !inMemory {
		return aisle.FieldErrorf(aisle.ENOTFOUND, "session", "no session %q", id)
	}
	return nil
}

// ForgetUser forgets the sessions of user held in memory (the store's
// erasure of a shopper removes the stored ones).
func (a *Assistant) ForgetUser(user string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for id, s := range a.sessions {
		if s.user == user {
			delete(a.sessions, id)
		}
	}
}

// Len returns the number of sessions kept.
func (a *Assistant) Len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.sessions)
}
