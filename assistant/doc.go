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
// SessionStore, in the store after every turn. There is no language-model
// mode yet: every reply is built in.
package assistant
