// One chat turn of a web app, as its client sends it, from the app's own origin (the page
// is served there through the gateway). The answer is read by the app's reader
// (readers.js) and shown where the app shows the assistant's answer — or, where the app
// reports a refused request as an error, in an error toast, as the app does.
"use strict";

// The fragment never leaves the browser: a prompt in the query would itself be scanned
// (and blocked) on its way to the app host.
const params = new URLSearchParams(location.hash.slice(1));
const app = params.get("app");
const prompt = params.get("prompt");
const $ = (id) => document.getElementById(id);

function show(text) { $("answer").textContent = text; $("answer-box").hidden = false; done(); }
function toast(text) { $("toast-text").textContent = text; $("toast").hidden = false; done(); }
function done() { document.body.dataset.state = "done"; }
function fail(error) { $("status").textContent = "Fehler: " + error; document.body.dataset.state = "failed"; }

async function post(path, body, type, headers = {}) {
  return fetch(path, { method: "POST", body, headers: type ? { "content-type": type, ...headers } : headers });
}

const boundary = "----LeitplankeChromium7c1";
function multipart(parts) {
  let out = "";
  for (const [name, filename, type, data] of parts) {
    out += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"` +
      (filename ? `; filename="${filename}"` : "") + "\r\n" + (type ? `Content-Type: ${type}\r\n` : "") + `\r\n${data}\r\n`;
  }
  return out + `--${boundary}--\r\n`;
}

const apps = {
  async chatgpt() {
    const body = { action: "next", model: "auto", supported_encodings: ["v1"],
      messages: [{ id: crypto.randomUUID(), author: { role: "user" }, content: { content_type: "text", parts: [prompt] } }] };
    const r = await post("/backend-api/f/conversation", JSON.stringify(body), "application/json", { accept: "text/event-stream" });
    show(readers.readChatGPT(await r.text()));
  },
  async claude() {
    const r = await post("/api/organizations/org-1/chat_conversations/c-1/completion",
      JSON.stringify({ prompt, model: "claude-sonnet-4" }), "application/json", { accept: "text/event-stream" });
    show(readers.readClaude(await r.text()));
  },
  async gemini() {
    const inner = JSON.stringify([[prompt, 0, null, null, null, null, 0], ["de"]]);
    const form = "f.req=" + encodeURIComponent(JSON.stringify([null, inner])) + "&at=AJvLN6M";
    const r = await post("/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate?rt=c",
      form, "application/x-www-form-urlencoded;charset=UTF-8");
    show(readers.readGemini(await r.text()));
  },
  async perplexity() {
    const r = await post("/rest/sse/perplexity_ask", JSON.stringify({ query_str: prompt, params: { model_preference: "turbo" } }),
      "application/json", { accept: "text/event-stream" });
    show(readers.readPerplexity(await r.text()));
  },
  async deepseek() {
    const r = await post("/api/v0/chat/completion", JSON.stringify({ chat_session_id: "s-1", prompt, ref_file_ids: [] }), "application/json");
    show(readers.readDeepSeek(await r.text()));
  },
  async lechat() {
    const r = await post("/api/chat", JSON.stringify({ mode: "create", files: [], content: prompt }), "application/json");
    show(readers.readLeChat(await r.text()));
  },
  async lechat_upload() {
    // Le Chat asks for a signed upload URL first (tRPC); the client raises a
    // TRPCClientError with the error's message, which the app shows as an error.
    const r = await post("/api/trpc/file.uploadFile?batch=1",
      JSON.stringify({ 0: { json: { type: "text", count: 1, includeReadUrl: true } } }), "application/json");
    const [entry] = await r.json();
    if (entry.error) toast(entry.error.json.message); else fail("upload URL granted");
  },
  async huggingchat() {
    // chat-ui's fetchMessageUpdates: no Accept header; a failed response's JSON message
    // is thrown and shown in the error toast.
    const data = JSON.stringify({ inputs: null, id: crypto.randomUUID(), is_retry: false });
    const file = btoa(String.fromCharCode(...new TextEncoder().encode(prompt)));
    const body = multipart([["files", "base64;Notiz.txt", "text/plain", file], ["data", null, null, data]]);
    const response = await fetch("/chat/conversation/6789abcdef", { method: "POST", body,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` } });
    if (!response.ok) {
      const message = await response.json().then((obj) => obj.message)
        .catch(() => `Request failed with status code ${response.status}: ${response.statusText}`);
      toast(message);
    } else fail("answer streamed");
  },
  async poe() {
    const body = { queryName: "sendMessageMutation", variables: { bot: "Assistant", query: prompt, chatId: null },
      extensions: { hash: "5fabca61" } };
    const r = await post("/api/gql_POST", JSON.stringify(body), "application/json");
    const edge = ((await r.json()).data || {}).messageEdgeCreate || {};
    if (edge.status && edge.status !== "success") toast(edge.statusMessage || edge.status); else fail("sent");
  },
  copilot() {
    const ws = new WebSocket("wss://copilot.microsoft.com/c/api/chat?api-version=2");
    const text = [];
    ws.onopen = () => ws.send(JSON.stringify({ event: "send", conversationId: "c-1", mode: "chat",
      content: [{ type: "text", text: prompt }] }));
    ws.onmessage = (m) => {
      const event = JSON.parse(m.data);
      if (event.event === "appendText") text.push(event.text);
      if (event.event === "done") { show(text.join("")); ws.close(); }
    };
    ws.onerror = () => fail("websocket");
  },
  m365() {
    const RS = "\x1e";
    const ws = new WebSocket("wss://substrate.office.com/m365Copilot/Chathub/oid@tid?ConversationId=c-1");
    let final = null;
    ws.onopen = () => ws.send(JSON.stringify({ protocol: "json", version: 1 }) + RS);
    ws.onmessage = (m) => {
      for (const record of m.data.split(RS).filter((r) => r.trim())) {
        const data = JSON.parse(record);
        if (Object.keys(data).length === 0) {  // handshake accepted: invoke "chat"
          ws.send(JSON.stringify({ type: 4, target: "chat", invocationId: "0",
            arguments: [{ message: { author: "user", inputMethod: "Keyboard", text: prompt } }] }) + RS);
        } else if (data.type === 2) {
          final = data.item.result.message;  // PyRIT reads the final content here
        } else if (data.type === 3) {
          show(final); ws.close();
        }
      }
    };
    ws.onerror = () => fail("websocket");
  },
};

window.addEventListener("DOMContentLoaded", () => {
  $("host").textContent = location.host;
  // The test IBAN is shown masked: no detected value in a screenshot.
  $("prompt").textContent = prompt.replace(/\b(DE\d{2})[\d ]{15,}(\d{2})\b/, "$1 •••• •••• •••• •••• $2");
  $("reader").textContent = params.get("reader") || "";
  Promise.resolve().then(() => apps[app]()).catch(fail);
});
