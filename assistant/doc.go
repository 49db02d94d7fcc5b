// Package assistant is Aisle's built-in shopping assistant: a
// deterministic dialogue manager, in English and Chinese, over the store's
// own parts (search with query understanding, recommendations, similar
// items, complete-the-cart, product Q&A) and the store's policies.
//
// An Assistant keeps each session's state across turns: the topic and the
// constraints stated ("in black", "under $30", "only DYMO", 黑色,
// 30元以下), the items shown, which references resolve against ("the
// second one", "it", "those", 第二个, 它), the item in focus and a cart.
// Each message is read, in order, for unsafe or off-topic requests (a
// short redirect, no items), a request for a person (a hand-off), policy
// questions (quoted from Policies, never invented), greetings, the cart,
// comparisons, similar items, questions and details about an item
// referred to, recommendations, and otherwise a search: constraints alone
// refine the current topic, a new product starts another, and a request
// too vague to search gets a clarifying question.
//
// The tools are the Tools interface; Backend implements it over the search
// index, the recommendation engine, the store and product Q&A. Sessions
// live in memory (idle expiry, caps on sessions and turns) and, with a
// SessionStore, in the store after every turn.
//
// With Options.Model (any Model: openai.Streamer over an OpenAI-compatible
// server, or an in-process model with the same method) a turn runs in
// model mode ("llm"): the model gets a system prompt (its role, the
// grounding rules, the answer language, the store's policies), the
// session's earlier turns, the ids of the items shown and the message,
// and may call the tools search, recommend, similar, item_details,
// compare, ask, complete_cart, policy and handoff. Each runs the very
// code the built-in manager uses for it, so the session's constraints,
// items shown ("the second one" in the next turn, in either mode), focus,
// cart and logged events are the same. Tool results go back as "tool"
// messages of JSON: catalog text reaches the model only as data. The
// arguments are untrusted: bad JSON, an unknown tool or item is told to
// the model as a tool error. After at most three rounds of tool calls the
// model's text keeps only the sentences whose claims one tool result (an
// item as listed, a reply about items, a policy) supports, checked by
// grounding.Checker; the reply's items, actions and citations are the
// tools'. A model error, a broken stream, a turn past ModelTimeout, too
// many tool rounds or calls, or a reply with nothing left gets the
// built-in answer instead (Reply.Mode says which), with the session's
// state as it was before the model's tools ran.
package assistant
