// Package importer reads product catalogs, users, events and product Q&A
// from files and writes them into a Store (such as *sqlite.DB).
//
// Run imports one file or dataset folder. Options.Format picks the format
// (DetectFormat guesses it from file names when it is empty):
//
//   - aisle: Aisle's own schema, in JSON Lines or CSV.
//   - s3rec: the sequence files of S3-Rec (e.g. Amazon Beauty).
//   - lcrec: the item and interaction files of LC-Rec (e.g. Amazon Office).
//   - images: a folder of labelled photos with a labels.csv.
//   - amazonqa: the Amazon product Q&A dumps, one Python dict a line.
//
// # Rows, errors and batches
//
// Rows are imported kind by kind: items, then users, questions and events
// (events must name items that exist). Each row is checked as the store
// would check it (aisle.Item.Normalize and Validate, aisle.User.Validate,
// aisle.Question.Validate, aisle.Event.Validate against Deps.Now), and an
// event's item must be valid in the same import or already in the store.
// A bad row never stops the import and is never half-written: it is
// skipped, counted as rejected and listed in the Summary as a RowError
// "file:line: reason" (the first MaxListedRejects of them). Good rows are
// written Options.BatchSize at a time, one store transaction per batch.
//
// With Options.Strict, everything is read and checked first, and if any row
// is bad Run writes nothing and returns a *RejectedError listing the bad
// rows. Options.DryRun checks everything and writes nothing.
//
// A missing or unreadable file, a CSV header with an unknown column, a file
// holding one JSON object that is not valid JSON (the error names the file
// and byte offset), a store failure, or a cancelled context stops the
// import with an error. Inputs are opened and checked before anything is
// written; batches written before a later failure stay written, and
// importing again is safe because rows are upserted and dataset events
// have deterministic ids.
//
// # Format aisle
//
// Each file holds one kind of row. The kind comes from Options.Kind or from
// the file name's prefix: items*, users*, questions*, events*. A folder
// imports every such .jsonl, .ndjson and .csv file (gzipped files, ending
// in .gz, are read too), items first, then users, questions and events,
// each group in name order.
//
// JSON Lines (.jsonl, .ndjson): one JSON object a line, shaped as
// aisle.Item, aisle.User, aisle.Question or aisle.Event encode to JSON.
// Blank lines are skipped. A field the type does not have rejects the row,
// naming the field. For example:
//
//	{"id":"p1","title":"Blue pen","description":"Smooth ink.","brand":"Pilot","categories":["Office","Writing","Pens"],"attributes":{"color":"blue"},"price":2.5,"currency":"USD","availability":"in_stock","images":["https://example.com/p1.jpg"]}
//	{"id":"u1","attributes":{"segment":"teacher"}}
//	{"id":"q1","item":"p1","type":"yes/no","question":"Is it refillable?","answer":"Yes.","answer_type":"Y","answered_at":"2024-05-01T10:00:00Z"}
//	{"id":"e1","user":"u1","item":"p1","type":"purchase","timestamp":"2024-05-01T10:00:00Z","session":"s1","context":{"page":"search"}}
//	{"user":"u1","type":"search","query":"blue pen","timestamp":"2024-05-01T09:59:00Z"}
//	{"user":"u1","item":"p1","type":"rating","value":4.5}
//
// Item fields: id (required), title, description, brand, categories (one
// path from the root, as an array), attributes (string to string), price
// (a number ≥ 0), currency (ISO 4217, only with a price), availability
// (in_stock, the default, out_of_stock, preorder or discontinued), images
// (file paths or URLs). User fields: id, attributes. Question fields: id,
// item (need not be in the catalog), type, question (required), answer,
// answer_type, answered_at (RFC 3339). Event fields: id (optional: without
// one the importer derives it from the line number and the event's content,
// so importing the same file again skips the event as a duplicate), user, item (required except for search and custom
// events), type (view, click, search, add_to_cart, purchase, rating,
// custom), timestamp (RFC 3339; absent means the time of import), value
// (ratings only), query (searches), name (custom events), session, context
// (string to string). Created/updated times are set by the store.
//
// CSV (.csv): RFC 4180, a header row required, columns in any order,
// missing columns empty. Empty cells are absent values. The columns are:
//
//	items:     id, title, description, brand, categories, price, currency, availability, images, attr.<name>
//	users:     id, attr.<name>
//	questions: id, item, type, question, answer, answer_type, answered_at
//	events:    id, user, item, type, timestamp, value, query, name, session, ctx.<name>
//
// categories is the path joined with " > " ("Office > Writing > Pens"),
// images are joined with "|", each attr.<name> column sets attribute <name>
// of an item or user, and each ctx.<name> column sets an event's context
// entry <name>. timestamp and answered_at are RFC 3339 or integer unix
// seconds. Required columns: id for items and users; id, item and question
// for questions; user and type for events. Any other column is an error
// that stops the import before it writes anything. For example:
//
//	id,title,brand,categories,price,currency,images,attr.color
//	p1,Blue pen,Pilot,Office > Writing > Pens,2.5,USD,https://example.com/p1.jpg|https://example.com/p1b.jpg,blue
//
//	id,user,item,type,timestamp,value,ctx.page
//	e1,u1,p1,purchase,2024-05-01T10:00:00Z,,search
//	e2,u1,p1,rating,1714557600,4.5,
//
// # Datasets without timestamps
//
// The s3rec and lcrec datasets give each user's items in time order but no
// times. Position k (counting from 0) of a user's sequence gets the
// synthetic timestamp 2014-01-01T00:00:00Z plus k seconds, so order is
// kept and no false recency is invented (time-decayed models see all of a
// dataset's interactions as equally recent). Each position becomes a purchase event
// (every interaction is an Amazon review, which implies a purchase) with
// the id "s3rec:<user>:<k>" or "lcrec:<user>:<k>": importing the same file
// again reports the events as duplicates. Dataset ids are kept as given,
// as strings (S3-Rec user 1 is user "1", LC-Rec item index 0 is item "0").
// A user is imported for every sequence, even an empty one.
//
// # Format s3rec
//
// PATH is the sequence file or a folder holding exactly one .txt file. Each
// line is "user item item ...", separated by white space; a user on two
// lines rejects the second. Beside the sequence file, optionally:
// <stem>_itemid2asin.tsv ("s3rec_item_id<TAB>asin" lines, after an optional header)
// gives items the attribute "asin", and <stem>_item2attributes.json
// ({"item id": [attribute ids]}) gives them "attribute_ids", the ids joined
// with commas. Items are every id in these files; they have no titles.
//
// # Format lcrec
//
// PATH is a folder with one *.item.json and one *.inter.json, or either
// file (its sibling is used when present). *.inter.json is {"user":
// [item, ...]} in time order. *.item.json is {"item": {"title",
// "description", "brand", "categories"}}; other fields are ignored. HTML
// entities in title, description and brand are decoded ("AT&amp;T" →
// "AT&T"). categories is one path joined with ", ", but some Amazon
// category names hold ", " themselves ("Tape, Adhesives & Fasteners",
// "Calendars, Planners & Personal Organizers"). A segment is merged with
// the next one into one name when it is not the first, has no "&", the
// next one holds " & ", the two share no word ("Scanners, Flatbed & Photo
// Scanners" is a parent and its child), and every path in the file that
// reaches this segment goes on to that same next one (a real parent such
// as "Paper" or "Calculators" has several children or ends paths). Bad entries
// are reported with the line of their key: `Office.item.json:104: item
// "17": title: want a string, got number`.
//
// # Format images
//
// PATH is a folder holding labels.csv, or the file. labels.csv has the
// columns path,split,label; paths are relative to its folder. Each photo
// becomes an item: id the file name without extension, title the label
// capitalised ("t-shirt" → "T-shirt"), categories ["Clothing", label],
// attributes {"split": split, "label": label}, and images [the photo's
// absolute path]. A photo that does not exist, or a second photo with the
// same id, rejects its row. There are no users or events.
//
// # Format amazonqa
//
// PATH is a Q&A file, gzipped or not, or a folder of *.json and *.json.gz
// files. Each line is a Python dict literal as Python's repr writes it:
// single- or double-quoted strings (optionally u-prefixed) with Python
// escapes (\\ \' \" \n \t ..., octal, \xhh as a byte, \uXXXX, \UXXXXXXXX),
// integers, floats, True, False, None, lists, tuples and dicts; anything
// else rejects the line. The keys are questionType, asin, question,
// answer, answerType (optional), answerTime ("Jun 27, 2014") and unixTime
// (optional int); other keys are ignored. Each line becomes an aisle.Question: ID asin + "/" + the
// question's 1-based ordinal among the file's lines with that asin (so
// exact duplicate lines are all kept), Item asin, Type questionType,
// Question, Answer, AnswerType, and AnsweredAt from unixTime, else from
// answerTime, else zero (some answerTimes are relative, "14 days ago").
//
// # Progress
//
// Deps.Progress receives progress: a progress bar when it is a terminal,
// otherwise a plain line every two seconds and one when each input is done.
package importer
