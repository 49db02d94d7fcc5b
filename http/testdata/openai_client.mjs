// Talks to Aisle's POST /v1/chat/completions with OpenAI's official
// client (npm package openai), as any OpenAI application would, and prints
// what it got as one JSON object for TestOpenAIClient to check.
//
// Environment: AISLE_OPENAI_PKG, the openai package's directory;
// AISLE_BASE_URL, the server's /v1 URL; AISLE_API_KEY, an Aisle key.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const pkg = process.env.AISLE_OPENAI_PKG;
const { default: OpenAI } = await import(pathToFileURL(path.join(pkg, 'index.mjs')).href);
const client = new OpenAI({ baseURL: process.env.AISLE_BASE_URL, apiKey: process.env.AISLE_API_KEY, maxRetries: 0 });
const model = 'aisle-assistant';
const user = 'shopper-1';
const out = {};

// One turn, not streamed.
const history = [{ role: 'user', content: 'I need a stapler' }];
const first = await client.chat.completions.create({ model, messages: history, user });
out.first = {
  id: first.id, object: first.object, model: first.model,
  content: first.choices[0].message.content,
  finish_reason: first.choices[0].finish_reason,
  usage: first.usage,
  aisle: first.aisle,
};

// The follow-up, the whole history resent and no session.
history.push({ role: 'assistant', content: first.choices[0].message.content });
history.push({ role: 'user', content: 'tell me about the second one' });
const second = await client.chat.completions.create({ model, messages: history, user });
out.second = { content: second.choices[0].message.content, aisle: second.aisle };

// The next turn, streamed, with the usage.
history.push({ role: 'assistant', content: second.choices[0].message.content });
history.push({ role: 'user', content: 'in black' });
const stream = await client.chat.completions.create({
  model, messages: history, user, stream: true, stream_options: { include_usage: true },
});
const streamed = { chunks: 0, content: '', finish_reason: null, aisle: null, usage: null };
for await (const chunk of stream) {
  streamed.chunks++;
  const choice = chunk.choices[0];
  if (choice?.delta?.content) streamed.content += choice.delta.content;
  if (choice?.finish_reason) streamed.finish_reason = choice.finish_reason;
  if (chunk.aisle) streamed.aisle = chunk.aisle;
  if (chunk.usage) streamed.usage = chunk.usage;
}
out.streamed = streamed;

// An error, as the client reports it.
try {
  await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'pens' }] });
  out.error = null;
} catch (err) {
  out.error = { status: err.status, code: err.code, param: err.param, type: err.type, message: err.message };
}

// The model list chat UIs read.
const models = [];
for await (const m of client.models.list()) models.push(m.id);
out.models = models;

process.stdout.write(JSON.stringify(out) + '\n');
