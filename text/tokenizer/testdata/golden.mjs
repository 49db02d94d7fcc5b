// golden.mjs writes the reference token ids that the Go tests compare with.
//
// Two independent reference implementations encode every case:
//   - transformers.js (npm @huggingface/transformers, AutoTokenizer), and
//   - Hugging Face tokenizers, the Rust library behind tokenizer.json and
//     Python's fast tokenizers (npm "tokenizers", its Node binding).
// The Go package follows tokenizers; golden.json records where
// transformers.js differs (field "tokenizers_ids", see NOTES below).
//
// Run it from a folder where both packages are installed, e.g. the
// gitignored scratch folder of the repository:
//
//   mkdir -p scratch/tokgold && cd scratch/tokgold
//   npm init -y && npm install --ignore-scripts @huggingface/transformers tokenizers@0.23.2
//   node ../../tokenizer/testdata/golden.mjs
//
// (--ignore-scripts skips onnxruntime-node's download, not needed here.)
// It reads the tokenizer from ../shared/models/tokenizers/all-MiniLM-L6-v2 and
// the item texts from ../shared/data/amazon-office beside the checkout, and
// writes golden.json and office.json next to itself.

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(process.cwd(), 'package.json'));
const { AutoTokenizer, env } = require('@huggingface/transformers');
const { Tokenizer } = require('tokenizers');

const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, '..', '..', '..', 'shared');
const modelName = 'all-MiniLM-L6-v2';
const modelsDir = join(shared, 'models', 'tokenizers');

env.allowRemoteModels = false;
env.localModelPath = modelsDir + '/';
const js = await AutoTokenizer.from_pretrained(modelName, { local_files_only: true });
const rs = Tokenizer.fromFile(join(modelsDir, modelName, 'tokenizer.json'));
rs.disablePadding(); // tokenizer.json pads to 128 by default

// Why transformers.js differs from tokenizers on some cases.
const CJK_NOTE =
  'transformers.js only spaces out CJK ideographs of the BMP (it walks UTF-16 code units); tokenizers also spaces the supplementary-plane ranges';
const NOTES = {
  'ΟΔΟΣ Σίσυφος ΣΟΦΙΑΣ':
    'transformers.js lowercases the whole string (String.toLowerCase, final sigma -> ς); tokenizers maps each character on its own (Σ -> σ)',
  '𫝀𫠠\u{2F800}y \u{30000}z': CJK_NOTE,
  '𠀀𠀁x 𪜀': CJK_NOTE,
};

const TRUNCATION_NOTE =
  'transformers.js truncates after adding [CLS]/[SEP], so [SEP] is cut off; tokenizers truncates the text and keeps [SEP] last';

const long = (s, n) => s.repeat(n);
const cases = [
  // English
  'Hello, world!',
  'The quick brown fox jumps over the lazy dog.',
  "I can't believe it's not butter!",
  'Transformers are great for NLP tasks; tokenization matters.',
  'unaffable unbelievably tokenization embeddings',
  'Stapler, heavy-duty, 20-sheet capacity (black)',
  'AT&amp;T 210 Corded Phone, Black, 1 Handset',
  'Epson WorkForce WF-3520 Wireless All-in-One Color Inkjet Printer, Copier, Scanner, 2-Sided Duplex, ADF, Fax.',
  'BIC Round Stic Ball Pen, Fine Point, 0.8mm, Black, 12 Pens (GSF11-Blk)',
  '$19.99 - 50% off!!! #deal @store ~tilde `back` ^caret {curly} [square] <angle> |pipe| \\slash/',
  'e-mail: someone@example.com, url: https://example.com/a?b=c&d=e_f',
  '3.14159 1,000,000 2023-01-01 12:30pm 4K 1080p USB-C',
  '“Smart quotes” and ‘single’ … ellipsis – en dash — em dash «guillemets» ¿qué? ¡sí!',
  'Mixed   multiple    spaces  and\ttabs\nand\r\nnewlines  ',
  'ALL CAPS TITLE With MiXeD CaSe',
  // accents and other scripts
  'Café naïve résumé',
  'Crème brûlée à la française, jalapeño, Zoë, façade',
  'ÅNGSTRÖM Über straße Ørsted Łódź ĳ ﬁ',
  'İstanbul ıi',
  'Москва ПРИВЕТ Ёлка',
  'ΟΔΟΣ Σίσυφος ΣΟΦΙΑΣ',
  'العربية עברית हिन्दी ไทย',
  'Tiếng Việt có dấu',
  // CJK
  '我喜欢红色的手机',
  'iPhone 15 手机壳',
  '日本語のテキストとカタカナ',
  '한국어 텍스트',
  'ＦＵＬＬＷＩＤＴＨ　ｔｅｘｔ１２３',
  '豈 更 車',
  '𠀀𠀁x 𪜀',
  '𫝀𫠠\u{2F800}y \u{30000}z', // more BERT ranges, then one outside them
  // unknown words, rare and invisible characters
  '😀 emoji 👍🏽 ❤️',
  '♥ ★ ☃ → ∑ ∞ ©®™ °C µm',
  'zero\u200bwidth\u200djoiner soft\u00adhyphen \ufeffbom',
  'private\ue000use a\u0378b',
  'ctrl\u0000nul\u0001soh\u007fdel\u0085nel\u000bvt\u000cff\ufffdrepl',
  'nbsp\u00a0thin\u2009ideo\u3000line\u2028para\u2029end',
  'ã ñ õ', // precomposed
  'a\u0303 n\u0303 o\u0303', // combining tilde
  // special tokens written in the text
  '[CLS] literal [SEP] tokens [PAD] [UNK] [MASK]',
  'x[SEP]y [sep] [ SEP ] [SEP',
  // long words
  'supercalifragilisticexpialidocious pneumonoultramicroscopicsilicovolcanoconiosis',
  long('a', 100),
  long('a', 101),
  long('ab', 60) + ' ok',
  long('é', 100),
  long('é', 101),
  long('漢', 150),
  long('x', 99) + '😀',
  // empty and blank
  '',
  ' ',
  '   \t\n ',
  '...',
  '\u0000\u0001',
  '!',
];

// Truncation: [text, max_length]
const truncated = [
  ['The quick brown fox jumps over the lazy dog.', 8],
  ['The quick brown fox jumps over the lazy dog.', 5],
  ['The quick brown fox jumps over the lazy dog.', 3],
  ['The quick brown fox jumps over the lazy dog.', 2],
  ['The quick brown fox jumps over the lazy dog.', 11],
  ['The quick brown fox jumps over the lazy dog.', 12],
  ['The quick brown fox jumps over the lazy dog.', 64],
  ['unaffable unbelievably tokenization embeddings', 4],
  ['unaffable unbelievably tokenization embeddings', 6],
  ['[CLS] literal [SEP] tokens [PAD] [UNK] [MASK]', 5],
  ['我喜欢红色的手机', 6],
  ['', 2],
  ['', 128],
];

function jsIDs(text, maxLength) {
  const opts = maxLength > 0 ? { truncation: true, max_length: maxLength } : {};
  return Array.from(js(text, opts).input_ids.data, Number);
}

// jsKeepingSEP is transformers.js's encoding truncated the way tokenizers
// truncates: text tokens cut, [SEP] kept last.
function jsKeepingSEP(text, maxLength) {
  const full = jsIDs(text, 0);
  return full.length <= maxLength ? full : [...full.slice(0, maxLength - 1), full.at(-1)];
}

async function rsEncode(text, maxLength) {
  if (maxLength > 0) rs.setTruncation(maxLength);
  else rs.disableTruncation();
  return rs.encode(text);
}

const version = (pkg) =>
  JSON.parse(readFileSync(join(process.cwd(), 'node_modules', pkg, 'package.json'), 'utf8')).version;
const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

const out = [];
for (const [text, maxLength] of [...cases.map((t) => [t, 0]), ...truncated]) {
  const ids = jsIDs(text, maxLength);
  const enc = await rsEncode(text, maxLength);
  const rids = enc.getIds();
  const c = { text, max_length: maxLength, ids };
  if (!same(ids, rids)) {
    const note = maxLength > 0 && same(rids, jsKeepingSEP(text, maxLength)) ? TRUNCATION_NOTE : NOTES[text];
    if (!note) throw new Error(`unexplained difference on ${JSON.stringify(text)}: ${ids} vs ${rids}`);
    c.tokenizers_ids = rids;
    c.note = note;
  }
  if (maxLength === 0) c.tokens = enc.getTokens().slice(1, -1);
  out.push(c);
}

const golden = {
  generated_by: 'tokenizer/testdata/golden.mjs',
  tokenizer: modelName,
  references: {
    'transformers.js': version('@huggingface/transformers'),
    tokenizers: version('tokenizers'),
  },
  cases: out,
};
writeFileSync(join(here, 'golden.json'), JSON.stringify(golden, null, 1) + '\n');

// office.json: a 32-bit FNV-1a digest of the ids of every Amazon Office item
// title and description (max_length 256), in item order. The digest is over
// the ids written in decimal, joined by ",".
function fnv(ids) {
  const s = ids.join(',');
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
const items = JSON.parse(readFileSync(join(shared, 'data', 'amazon-office', 'Office.item.json'), 'utf8'));
const n = Object.keys(items).length;
const office = { generated_by: golden.generated_by, max_length: 256, titles: [], descriptions: [] };
let differ = 0;
for (let i = 0; i < n; i++) {
  const it = items[String(i)];
  for (const [field, list] of [['title', office.titles], ['description', office.descriptions]]) {
    const text = it[field] ?? '';
    const rids = (await rsEncode(text, office.max_length)).getIds();
    if (!same(rids, jsKeepingSEP(text, office.max_length))) differ++;
    list.push(fnv(rids));
  }
}
office.transformers_js_differs = differ;
writeFileSync(join(here, 'office.json'), JSON.stringify(office) + '\n');
console.log(`golden.json: ${out.length} cases; office.json: ${n} items, transformers.js differs on ${differ} texts`);
