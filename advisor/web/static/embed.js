/* Career Advisor compact chat (/embed): asks POST api/chat and reads its server-sent events with
 * fetch + ReadableStream. Everything received (questions, answers, sources, errors) becomes DOM
 * through textContent and a small Markdown subset built node by node: no innerHTML, no eval.
 * Inside the widget (?widget=1) it talks to the host page only by postMessage, and only to say
 * "ready" and "close": the conversation never leaves this frame. */
(function () {
  "use strict";

  var params = new URLSearchParams(location.search);
  var framed = window.parent !== window;
  var inWidget = framed && params.get("widget") === "1";
  var MAX_HISTORY = 20;          // messages sent with a question for follow-ups
  var STORE = "career-advisor-embed";
  var DEFAULT_GREETING = "Hi! Ask me a career question: pay, skills, tools, certifications or " +
    "interviews. I answer from my career guides and show my sources.";

  var $ = function (id) { return document.getElementById(id); };
  var log = $("log"), form = $("form"), input = $("question"), sendButton = $("send");
  var turns = restore();         // [{role: "user"|"assistant", content, sources?, grounded?}]
  var busy = false;

  // ---- theme, from the query string the widget builds from its data- attributes ----
  var title = text(params.get("title"), 80) || "Career Advisor";
  $("title").textContent = title;
  document.title = title;
  var accent = params.get("accent");
  if (accent && window.CSS && CSS.supports("color", accent)) {
    document.documentElement.style.setProperty("--accent", accent);
    document.documentElement.style.setProperty("--on-accent", readableOn(accent));
  }
  var greeting = text(params.get("greeting"), 500) || DEFAULT_GREETING;

  function text(value, max) {
    return value ? String(value).replace(/[\u0000-\u001f\u007f]+/g, " ").trim().slice(0, max) : "";
  }

  function readableOn(color) {
    var probe = document.createElement("span");
    probe.style.color = color;
    document.body.appendChild(probe);
    var rgb = getComputedStyle(probe).color.match(/[\d.]+/g);
    probe.remove();
    if (!rgb || rgb.length < 3) return "#ffffff";
    var lum = [0, 1, 2].map(function (i) {
      var c = rgb[i] / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return l > 0.4 ? "#111827" : "#ffffff";
  }

  // ---- DOM helpers: every string goes in as text ----
  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (content != null) node.textContent = content;
    return node;
  }

  // Inline Markdown: **bold**, __bold__, `code` and [n] source markers; the rest is text.
  var INLINE = /\*\*([^*\n]+?)\*\*|__([^_\n]+?)__|`([^`\n]+)`|\[(\d{1,2})\]/g;
  function inline(source, parent, sources) {
    var last = 0, m, pattern = new RegExp(INLINE);  // its own lastIndex: bold text recurses
    while ((m = pattern.exec(source))) {
      if (m.index > last) parent.appendChild(document.createTextNode(source.slice(last, m.index)));
      if (m[1] != null || m[2] != null) {
        var strong = el("strong");
        inline(m[1] != null ? m[1] : m[2], strong, sources);
        parent.appendChild(strong);
      } else if (m[3] != null) {
        parent.appendChild(el("code", null, m[3]));
      } else {
        var cite = el("span", "cite", "[" + m[4] + "]");
        var src = sources && sources[Number(m[4]) - 1];
        if (src) cite.title = text(src.title, 200) + (src.section ? " \u2014 " + text(src.section, 300) : "");
        parent.appendChild(cite);
      }
      last = pattern.lastIndex;
    }
    if (last < source.length) parent.appendChild(document.createTextNode(source.slice(last)));
  }

  // Block Markdown: paragraphs (single newlines kept as line breaks), bullet and numbered lists,
  // headings shown as bold lines. Anything else (HTML, links, images) stays literal text.
  function markdown(source, into, sources) {
    var para = null, list = null, kind = null;
    String(source).replace(/\r\n?/g, "\n").split("\n").forEach(function (raw) {
      var line = raw.replace(/\s+$/, ""), m;
      if (!line.trim()) { para = list = null; return; }
      var bullet = /^\s*[-*+\u2022]\s+(.*)$/.exec(line), numbered = /^\s*\d{1,3}[.)]\s+(.*)$/.exec(line);
      if (bullet || numbered) {
        var want = bullet ? "ul" : "ol";
        if (!list || kind !== want) { list = el(want); kind = want; into.appendChild(list); }
        var item = el("li");
        inline((bullet || numbered)[1], item, sources);
        list.appendChild(item);
        para = null;
        return;
      }
      list = null;
      if ((m = /^#{1,6}\s+(.*)$/.exec(line))) {
        var heading = el("p"), strong = el("strong");
        inline(m[1], strong, sources);
        heading.appendChild(strong);
        into.appendChild(heading);
        para = null;
        return;
      }
      if (para) para.appendChild(el("br"));
      else { para = el("p"); into.appendChild(para); }
      inline(line.trim(), para, sources);
    });
  }

  // ---- messages ----
  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function showUser(content) {
    log.appendChild(el("div", "msg user", content));
    scrollDown();
  }

  function showAnswer(node, answer) {
    var sources = Array.isArray(answer.sources) ? answer.sources : [];
    node.className = "msg bot";
    var body = el("div", "body");
    markdown(String(answer.content != null ? answer.content : answer.answer || ""), body, sources);
    node.textContent = "";
    node.appendChild(body);
    if (answer.grounded === false) node.appendChild(el("p", "note", "Not from my sources."));
    if (sources.length) {
      var details = el("details", "sources");
      details.appendChild(el("summary", null, "Sources (" + sources.length + ")"));
      var list = el("ol");
      sources.forEach(function (s) {
        var item = el("li");
        item.appendChild(el("strong", null, text(s.title, 200) || "Source"));
        if (s.section) item.appendChild(el("span", "where", " \u2014 " + text(s.section, 300)));
        if (s.text) {
          var passage = el("div", "passage");
          passage.tabIndex = 0;  // it scrolls: reachable by keyboard
          passage.setAttribute("role", "region");
          passage.setAttribute("aria-label", "Passage from source " + (list.children.length + 1));
          markdown(String(s.text).slice(0, 1500), passage, null);
          item.appendChild(passage);
        }
        list.appendChild(item);
      });
      details.appendChild(list);
      node.appendChild(details);
    }
    scrollDown();
  }

  function showError(node, message) {
    node.className = "msg error";
    node.setAttribute("role", "alert");
    node.textContent = message;
    scrollDown();
  }

  function showGreeting() {
    var node = el("div", "msg bot");
    node.appendChild(el("p", null, greeting));
    log.appendChild(node);
  }

  function render() {
    log.textContent = "";
    showGreeting();
    turns.forEach(function (turn) {
      if (turn.role === "user") showUser(turn.content);
      else { var node = el("div"); log.appendChild(node); showAnswer(node, turn); }
    });
    scrollDown();
  }

  // ---- conversation kept for this tab only, inside this frame's own storage ----
  function restore() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE) || "[]");
      return Array.isArray(saved) ? saved.filter(function (t) {
        return t && (t.role === "user" || t.role === "assistant") && typeof t.content === "string";
      }) : [];
    } catch (e) { return []; }
  }
  function save() {
    try { sessionStorage.setItem(STORE, JSON.stringify(turns.slice(-40))); } catch (e) { /* private mode */ }
  }

  // ---- asking ----
  async function errorMessage(response) {
    var fallback = "The advisor could not answer (HTTP " + response.status + "). Please try again.";
    try {
      var body = await response.json();
      if (body && typeof body.error === "string" && body.error) return body.error;
    } catch (e) { /* not JSON */ }
    var wait = response.headers.get("Retry-After");
    if (response.status === 429) return "Too many questions. Please try again" + (wait ? " in " + wait + " seconds." : " later.");
    return fallback;
  }

  // Server-sent events from a fetch body: blocks separated by a blank line, "event:" and "data:" lines.
  async function readEvents(stream, onEvent) {
    var reader = stream.getReader(), decoder = new TextDecoder(), buffer = "";
    function dispatch(block) {
      var name = "message", data = [];
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer = (buffer + decoder.decode(chunk.value, { stream: true })).replace(/\r\n/g, "\n");
      var end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
    buffer += decoder.decode();
    if (buffer.trim()) dispatch(buffer);
  }

  function setBusy(on) {
    busy = on;
    sendButton.disabled = on;
    log.setAttribute("aria-busy", on ? "true" : "false");
  }

  async function ask(question) {
    setBusy(true);
    var history = turns.slice(-MAX_HISTORY).map(function (t) { return { role: t.role, content: t.content }; });
    showUser(question);
    var node = el("div", "msg bot waiting");
    var body = el("div", "body");
    node.appendChild(body);
    log.appendChild(node);
    scrollDown();
    var streamed = "", answer = null;
    try {
      var response = await fetch("api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
        body: JSON.stringify({ question: question, history: history.length ? history : null }),
        credentials: "omit",
      });
      if (!response.ok || !response.body) { showError(node, await errorMessage(response)); return; }
      await readEvents(response.body, function (name, data) {
        if (name === "delta" && data && typeof data.text === "string") {
          streamed += data.text;
          node.className = "msg bot streaming";
          body.textContent = streamed;
          scrollDown();
        } else if (name === "answer") {
          answer = data;
        } else if (name === "error") {
          throw new Error(data && data.error ? String(data.error) : "The answer could not be completed.");
        }
      });
      if (!answer || typeof answer.answer !== "string") throw new Error("The answer was cut off. Please try again.");
      var turn = { role: "assistant", content: answer.answer, grounded: answer.grounded === true,
                   sources: (answer.sources || []).map(function (s) {
                     return { title: s.title, section: s.section, text: s.text };
                   }) };
      showAnswer(node, turn);
      turns.push({ role: "user", content: question }, turn);
      save();
    } catch (e) {
      showError(node, e instanceof TypeError ? "Could not reach the advisor. Check your connection and try again."
                                             : String(e.message || e));
    } finally {
      setBusy(false);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var question = input.value.trim();
    if (!question || busy) return;
    input.value = "";
    grow();
    ask(question);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  function grow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 160) + "px";
  }
  input.addEventListener("input", grow);

  $("reset").addEventListener("click", function () {
    turns = [];
    save();
    render();
    input.focus();
  });

  // ---- the widget around this frame ----
  function tellParent(type) {
    // Only these fixed words are sent, never the conversation; any host page may hear them.
    if (inWidget) window.parent.postMessage({ type: "career-advisor:" + type }, "*");
  }
  if (inWidget) {
    var close = $("close");
    close.hidden = false;
    close.addEventListener("click", function () { tellParent("close"); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); tellParent("close"); }
    });
    window.addEventListener("message", function (event) {
      if (event.source !== window.parent || !event.data || event.data.type !== "career-advisor:focus") return;
      input.focus();
    });
  }

  render();
  tellParent("ready");
})();
