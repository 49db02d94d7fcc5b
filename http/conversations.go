package http

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

// maxConversations bounds the conversations POST /v1/chat/completions
// remembers (about 200 bytes each).
const maxConversations = 10000

// convKey identifies a conversation: the SHA-256 of the API key's id, the
// user and the user and assistant messages so far.
type convKey [sha256.Size]byte

// historyKey returns the key of a conversation held by actor (an API
// key's id) for user. Only user and assistant messages count, by role
// and text without surrounding white space: chat UIs change system
// prompts between turns and trim replies.
func historyKey(actor, user string, msgs []chatMessage) convKey {
	h := sha256.New()
	field := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field(actor)
	field(user)
	for _, m := range msgs {
		if m.role == "user" || m.role == "assistant" {
			field(m.role)
			field(trimmed(m.text))
		}
	}
	var k convKey
	h.Sum(k[:0])
	return k
}

// conversations remembers which assistant session answered which
// conversation, for clients that resend the whole history and no
// session: the least recently used go first past max entries. The zero
// value is ready to use, with room for maxConversations. It is safe for
// concurrent use.
type conversations struct {
	max int // 0: maxConversations

	// mu guards the two following fields.
	mu    sync.Mutex
	byKey map[convKey]*list.Element
	order list.List // of *convEntry, the most recently used first
}

type convEntry struct {
	key     convKey
	session string
}

// session returns the session that answered the conversation prior (of
// user, with key k) when it is still there and its last turn is the
// conversation's last exchange, and "" otherwise (a new session): a
// session that has moved on since (an edited or regenerated reply, or the
// same history continued elsewhere) is not continued.
func (c *conversations) session(ctx context.Context, a Assistant, k convKey, user string, prior []chatMessage) string {
	id, ok := c.get(k)
	if !ok {
		return ""
	}
	v, err := a.Session(ctx, id)
	if err != nil || v.User != user || len(v.Turns) == 0 {
		c.forget(k)
		return ""
	}
	var said []chatMessage
	for _, m := range prior {
		if m.role == "user" || m.role == "assistant" {
			said = append(said, m)
		}
	}
	last := v.Turns[len(v.Turns)-1]
	n := len(said)
	if n < 2 || said[n-1].role != "assistant" || said[n-2].role != "user" ||
		trimmed(said[n-1].text) != trimmed(last.Reply.Reply) || trimmed(said[n-2].text) != trimmed(last.Message) {
		return ""
	}
	return id
}

// get returns the session remembered for k, marking it used.
func (c *conversations) get(k convKey) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[k]
	if !ok {
		return "", false
	}
	c.order.MoveToFront(e)
	return e.Value.(*convEntry).session, true
}

// put remembers that session answered the conversation k, forgetting the
// least recently used conversation past the limit.
func (c *conversations) put(k convKey, session string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil {
		c.byKey = make(map[convKey]*list.Element)
	}
	if e, ok := c.byKey[k]; ok {
		e.Value.(*convEntry).session = session
		c.order.MoveToFront(e)
		return
	}
	c.byKey[k] = c.order.PushFront(&convEntry{key: k, session: session})
	max := c.max
	if max <= 0 {
		max = maxConversations
	}
	for c.order.Len() > max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.byKey, oldest.Value.(*convEntry).key)
	}
}

// forget drops k.
func (c *conversations) forget(k convKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[k]; ok {
		c.order.Remove(e)
		delete(c.byKey, k)
	}
}

// len returns how many conversations are remembered.
func (c *conversations) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
