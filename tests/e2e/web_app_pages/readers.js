// How the web apps' clients read an answer, ported to JavaScript for the Chromium test
// (our own code; the Python ports and their sources are in tests/answers/reference_parsers/).
// Each reader takes the response text and returns the text the app would show.
"use strict";

function sseEvents(text) {
  // [{event, data}] — data lines joined by "\n", a blank line ends an event.
  const events = [];
  let name = null, data = [];
  for (const line of (text + "\n\n").split("\n").map((l) => l.replace(/\r$/, ""))) {
    if (line === "") {
      if (data.length) events.push({ event: name, data: data.join("\n") });
      name = null; data = [];
    } else if (line.startsWith("event:")) {
      name = line.slice(6).trim();
    } else if (line.startsWith("data:")) {
      data.push(line.slice(5).trim());
    }
  }
  return events;
}

// JSON-patch-like operations of ChatGPT's "v1" delta encoding, applied to a state.
function pointer(state, path) {
  const keys = path.split("/").slice(1).map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  const last = keys.pop();
  let node = state;
  for (const key of keys) node = node[key];
  return [node, last];
}
function applyV1(state, op) {
  if (op.o === "patch") { for (const inner of op.v) applyV1(state, inner); return; }
  if (op.p === "") { if (op.o === "add" || op.o === "replace") state.root = op.v; return; }
  const [node, key] = pointer(state.root, op.p);
  if (op.o === "append") {
    if (typeof node[key] === "string") node[key] += op.v;
    else if (Array.isArray(node[key])) node[key].push(...[].concat(op.v));
    else node[key] = Object.assign(node[key] || {}, op.v);
  } else if (op.o === "replace" || op.o === "add") {
    node[key] = op.v;
  }
}
function readChatGPT(text) {
  const state = { root: null };
  let last = null;
  for (const { data } of sseEvents(text)) {
    if (data === "[DONE]" || data === '"v1"') continue;
    const op = JSON.parse(data);
    if (op.type) continue;  // message_stream_complete and friends
    if (!("o" in op) && !("p" in op) && last) { applyV1(state, { ...last, v: op.v }); continue; }
    applyV1(state, op);
    if (op.o !== "patch") last = op;
  }
  return state.root.message.content.parts.join("");
}

function readClaude(text) {
  return sseEvents(text)
    .map(({ data }) => JSON.parse(data))
    .filter((e) => e.type === "content_block_delta" && e.delta.type === "text_delta")
    .map((e) => e.delta.text).join("");
}

// Google's batchexecute stream: ")]}'", then "<length>\n<chunk>", lengths in UTF-16 code
// units — which is what JavaScript's string length counts.
function readGemini(text) {
  let rest = text.trimStart();
  if (!rest.startsWith(")]}'")) throw new Error("no XSSI guard");
  rest = rest.slice(4);
  let pos = 0, shown = null;
  while (pos < rest.length) {
    while (pos < rest.length && /\s/.test(rest[pos])) pos++;
    if (pos >= rest.length) break;
    const digits = /^(\d+)\n/.exec(rest.slice(pos));
    if (!digits) throw new Error("no chunk length");
    const start = pos + digits[1].length, length = Number(digits[1]);
    if (start + length > rest.length) throw new Error("chunk cut short");
    for (const entry of JSON.parse(rest.slice(start, start + length).trim())) {
      if (entry[0] !== "wrb.fr" || typeof entry[2] !== "string") continue;
      const candidates = JSON.parse(entry[2])[4] || [];
      for (const candidate of candidates) shown = candidate[1][candidate[1].length - 1];
    }
    pos = start + length;
  }
  if (shown === null) throw new Error("no answer");
  return shown;
}

// Perplexity: per message, the "ask_text" block; a diff_block patches the field it names.
function readPerplexity(text) {
  const block = {};
  for (const { data } of sseEvents(text)) {
    const message = JSON.parse(data);
    for (const b of message.blocks || []) {
      if (b.intended_usage !== "ask_text") continue;
      if (b.diff_block) {
        for (const patch of b.diff_block.patches) {
          if (patch.path === "") block[b.diff_block.field] = patch.value;
          else { const [node, key] = pointer(block[b.diff_block.field], patch.path); node[key] = patch.value; }
        }
      }
      if (b.markdown_block) block.markdown_block = b.markdown_block;
    }
  }
  return block.markdown_block.chunks.join("");
}

// DeepSeek: {"p", "o", "v"} operations on the response, the path remembered.
function readDeepSeek(text) {
  const state = { response: null };
  let path = null;
  const apply = (op) => {
    if (op.p !== undefined) path = op.p;
    if (Array.isArray(op.v)) { for (const inner of op.v) apply(inner); return; }
    if (op.v && typeof op.v === "object") { state.response = op.v.response; return; }
    if (path === "response/status") { state.response.status = op.v; return; }
    if (typeof op.v === "string" && path && path.endsWith("/content")) {
      const fragments = state.response.fragments;
      fragments[fragments.length - 1].content += op.v;
    }
  };
  for (const { event, data } of sseEvents(text)) {
    if (event === "ready" || event === "close" || event === "update_session") continue;
    apply(JSON.parse(data));
  }
  return state.response.fragments.filter((f) => f.type === "RESPONSE").map((f) => f.content).join("");
}

// Le Chat: numbered lines "N:{json}" whose patches edit the message's contentChunks.
function readLeChat(text) {
  const chunks = [];
  for (const line of text.split("\n")) {
    const match = /^\d+:(\{.*)$/.exec(line.trim());
    if (!match) continue;
    const frame = JSON.parse(match[1]);
    if (frame.message && frame.httpCode) throw new Error(frame.message);
    const body = frame.json || {};
    if (body.type !== "message") continue;
    for (const patch of body.patches || []) {
      if (patch.op === "replace" && patch.path === "/contentChunks") {
        patch.value.forEach((c, i) => { if (c.type === "text") chunks[i] = c.text; });
      } else if (patch.op === "append") {
        const m = /\/contentChunks\/(\d+)\/text/.exec(patch.path);
        if (m) chunks[Number(m[1])] = (chunks[Number(m[1])] || "") + patch.value;
      }
    }
  }
  return chunks.join("");
}

window.readers = { readChatGPT, readClaude, readGemini, readPerplexity, readDeepSeek, readLeChat };
