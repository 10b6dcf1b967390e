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
        var src = sources && sources[Number(m[4]) - 1];
        if (src) {  // a button that opens the sources at this one
          var cite = el("button", "cite", "[" + m[4] + "]");
          cite.type = "button";
          cite.setAttribute("data-n", m[4]);
          cite.setAttribute("aria-label", "Source " + m[4] + ": " + place(src));
          parent.appendChild(cite);
        } else {
          parent.appendChild(el("span", "cite", "[" + m[4] + "]"));
        }
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
  var MAX_CHARS = Number(input.getAttribute("data-max")) || 2000;
  var stopButton = $("stop"), counterNode = $("counter");
  var pending = null;            // the question on its way, or the one that failed: {question, error?, seconds?}
  var controller = null;         // aborts the answer on its way (Stop)
  var starters = [];
  var number = new Intl.NumberFormat("en");

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  // Icons drawn inline (SVG paths): no font or emoji the device may lack, nothing loaded.
  var SVG = "http://www.w3.org/2000/svg";
  var ICONS = {
    copy: "M16 1H4a2 2 0 0 0-2 2v14h2V3h12V1zm3 4H8a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h11a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2zm0 16H8V7h11v14z",
    check: "M9 16.17 4.83 12l-1.42 1.41L9 19 21 7l-1.41-1.41z",
    like: "M1 21h4V9H1v12zm22-11a2 2 0 0 0-2-2h-6.31l.95-4.57.03-.32a1.5 1.5 0 0 0-.44-1.06L14.17 1 7.59 7.59A2 2 0 0 0 7 9v10a2 2 0 0 0 2 2h9a2 2 0 0 0 1.84-1.22l3.02-7.05A2 2 0 0 0 23 12v-2z",
    dislike: "M15 3H6a2 2 0 0 0-1.84 1.22l-3.02 7.05A2 2 0 0 0 1 12v2a2 2 0 0 0 2 2h6.31l-.95 4.57-.03.32c0 .41.17.79.44 1.06L9.83 23l6.59-6.59A2 2 0 0 0 17 15V5a2 2 0 0 0-2-2zm4 0v12h4V3h-4z",
    retry: "M17.65 6.35A7.96 7.96 0 0 0 12 4a8 8 0 1 0 7.73 10h-2.08A6 6 0 1 1 12 6c1.66 0 3.14.69 4.22 1.78L13 11h7V4l-2.35 2.35z",
    edit: "M3 17.25V21h3.75L17.81 9.94l-3.75-3.75L3 17.25zM20.71 7.04a1 1 0 0 0 0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75 1.83-1.83z",
  };
  function icon(name) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(SVG, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  function button(label, cls, onClick, title) {
    var named = Object.prototype.hasOwnProperty.call(ICONS, label);
    var b = el("button", cls, named ? null : label);
    if (named) b.appendChild(icon(label));
    b.type = "button";
    if (title) { b.title = title; b.setAttribute("aria-label", title); }
    b.addEventListener("click", onClick);
    return b;
  }

  function focusBox() { input.focus(); }

  // The source numbers an answer's [n] markers cite, in order of first mention.
  function citedNumbers(content, sources) {
    var seen = [], m, pattern = /\[(\d{1,2})\]/g;
    while ((m = pattern.exec(content))) {
      var n = Number(m[1]);
      if (n >= 1 && n <= sources.length && seen.indexOf(n) < 0) seen.push(n);
    }
    return seen;
  }

  function place(s) {
    return [text(s.title, 200) || "Source"].concat(String(s.section || "").split(" > ").map(function (p) {
      return text(p, 300);
    }).filter(Boolean)).join(" \u203a ");
  }

  function openSource(node, n) {
    var details = node.querySelector("details.sources");
    var item = node.querySelector('li[data-n="' + n + '"]');
    if (!details || !item) return;
    details.open = true;
    item.scrollIntoView({ block: "nearest" });
    item.focus({ preventScroll: true });
    item.classList.add("flash");
    setTimeout(function () { item.classList.remove("flash"); }, 1600);
  }

  function showUser(content, editable) {
    log.appendChild(el("div", "msg user", content));
    if (editable) {
      var row = el("div", "user-actions");
      row.appendChild(button("edit", "mini", function () {
        // Edit and resend: the last question goes back into the box, its answer is dropped.
        turns.splice(turns.length - 2, 2);
        save();
        render();
        input.value = content;
        grow();
        updateCounter();
        focusBox();
      }, "Edit and resend this question"));
      log.appendChild(row);
    }
  }

  function plainAnswer(turn) {
    var sources = turn.sources || [];
    var numbers = citedNumbers(turn.content, sources);
    if (!numbers.length) numbers = sources.map(function (_, i) { return i + 1; });
    var lines = numbers.sort(function (a, b) { return a - b; }).map(function (n) {
      return "[" + n + "] " + place(sources[n - 1]);
    });
    return turn.content.trim() + (lines.length ? "\n\nSources:\n" + lines.join("\n") : "");
  }

  function copyText(value, done) {
    function fallback() {
      var area = el("textarea");
      area.value = value;
      area.setAttribute("readonly", "");
      area.style.position = "fixed"; area.style.left = "-9999px";
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
      area.remove();
      done();
    }
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(value).then(done, fallback);
    else fallback();
  }

  function rate(turn, index, rating, node) {
    turn.rating = turn.rating === rating ? null : rating;
    save();
    node.querySelectorAll("[data-rating]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-rating") === turn.rating));
    });
    if (!turn.rating || !turn.answerId) return;  // only answers this server gave can be rated
    fetch("embed/feedback", {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit",
      body: JSON.stringify({ rating: turn.rating, answer_id: turn.answerId }),
    }).catch(function () { /* a lost like is not worth an error message */ });
  }

  function actions(node, turn, index, last) {
    var bar = el("div", "actions");
    var copy = button("copy", "mini", function () {
      copyText(plainAnswer(turn), function () {
        copy.replaceChildren(icon("check"));
        setTimeout(function () { copy.replaceChildren(icon("copy")); }, 1500);
      });
    }, "Copy answer");
    bar.appendChild(copy);
    [["like", "Helpful"], ["dislike", "Not helpful"]].forEach(function (r) {
      var b = button(r[0], "mini", function () { rate(turn, index, r[0], node); }, r[1]);
      b.setAttribute("data-rating", r[0]);
      b.setAttribute("aria-pressed", String(turn.rating === r[0]));
      bar.appendChild(b);
    });
    if (last) bar.appendChild(button("retry", "mini", function () { retryLast(); }, "Retry: answer again"));
    node.appendChild(bar);
  }

  function showAnswer(node, answer, index, last) {
    var sources = Array.isArray(answer.sources) ? answer.sources : [];
    var content = String(answer.content != null ? answer.content : answer.answer || "");
    node.className = "msg bot";
    node.removeAttribute("role");
    var body = el("div", "body");
    markdown(content, body, sources);
    node.textContent = "";
    node.appendChild(body);
    body.querySelectorAll(".cite").forEach(function (cite) {
      cite.addEventListener("click", function () { openSource(node, cite.getAttribute("data-n")); });
    });
    if (answer.stopped) node.appendChild(el("p", "note", "Stopped."));
    if (answer.grounded === false && sources.length === 0 && !answer.stopped) node.appendChild(el("p", "note", "Not from my sources."));
    if (sources.length) {
      var numbers = citedNumbers(content, sources);
      if (!numbers.length) numbers = sources.map(function (_, i) { return i + 1; });
      numbers.sort(function (a, b) { return a - b; });
      var details = el("details", "sources");
      details.appendChild(el("summary", null, "Sources (" + numbers.length + ")"));
      var list = el("ol");
      numbers.forEach(function (n) {
        var s = sources[n - 1];
        var item = el("li");
        item.value = n;
        item.setAttribute("data-n", String(n));
        item.tabIndex = -1;
        item.appendChild(el("strong", null, place(s)));
        if (s.text) {
          var passage = el("div", "passage");
          passage.tabIndex = 0;  // it scrolls: reachable by keyboard
          passage.setAttribute("role", "region");
          passage.setAttribute("aria-label", "Passage from source " + n);
          markdown(String(s.text).slice(0, 1500), passage, null);
          item.appendChild(passage);
        }
        list.appendChild(item);
      });
      details.appendChild(list);
      node.appendChild(details);
    }
    if (index != null) actions(node, answer, index, last);
  }

  function showChoices(questions, label) {
    if (!questions.length) return;
    var box = el("div", "choices");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", label);
    questions.forEach(function (q) {
      box.appendChild(button(q, "choice", function () { if (!busy) { ask(q); focusBox(); } }));
    });
    log.appendChild(box);
  }

  function showError(node, message, seconds, retry) {
    node.className = "msg error";
    node.setAttribute("role", "alert");
    node.textContent = "";
    var p = el("p", null, message);
    node.appendChild(p);
    if (seconds) {
      // A live countdown: "... in 42 seconds." counts down to "now".
      var started = Date.now(), timer = setInterval(function () {
        if (!node.isConnected) { clearInterval(timer); return; }
        var left = seconds - Math.floor((Date.now() - started) / 1000);
        p.textContent = message.replace(/in \d+ seconds?/, left > 0 ? "in " + left + (left === 1 ? " second" : " seconds")
                                                                     : "now");
        if (left <= 0) clearInterval(timer);
      }, 1000);
    }
    if (retry) node.appendChild(button("Retry", "retry", retry));
  }

  function showGreeting() {
    var node = el("div", "msg bot");
    node.appendChild(el("p", null, greeting));
    log.appendChild(node);
  }

  function render() {
    log.textContent = "";
    showGreeting();
    if (!turns.length && !pending) showChoices(starters, "Suggested questions");
    var lastUser = -1;
    turns.forEach(function (t, i) { if (t.role === "user") lastUser = i; });
    turns.forEach(function (turn, i) {
      var last = i === turns.length - 1;
      if (turn.role === "user") showUser(turn.content, i === lastUser && !pending && !busy);
      else { var node = el("div"); log.appendChild(node); showAnswer(node, turn, i, last && !pending); }
    });
    if (pending) {
      if (pending.question) showUser(pending.question, false);
      if (pending.error) {
        var node = el("div");
        log.appendChild(node);
        showError(node, pending.error, pending.seconds, pending.question ? function () { retryPending(); } : null);
      }
    } else if (turns.length && turns[turns.length - 1].suggestions) {
      showChoices(turns[turns.length - 1].suggestions, "Follow-up questions");
    }
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
  async function errorOf(response) {
    var wait = Number(response.headers.get("Retry-After")) || 0, message = "";
    try {
      var body = await response.json();
      if (body && typeof body.error === "string") message = body.error;
      if (body && body.retry_after) wait = Number(body.retry_after) || wait;
    } catch (e) { /* not JSON */ }
    if (!message && response.status === 429) message = "Too many questions. Please try again in " + (wait || 60) + " seconds.";
    if (!message) message = "The advisor could not answer (HTTP " + response.status + "). Please try again.";
    return { message: message, seconds: response.status === 429 ? wait : 0 };
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
    sendButton.hidden = on;
    stopButton.hidden = !on;
    log.setAttribute("aria-busy", on ? "true" : "false");
  }

  function fail(question, message, seconds) {
    pending = { question: question, error: message, seconds: seconds || 0 };
    render();
    if (!input.value.trim()) { input.value = question; grow(); updateCounter(); }  // never lose the text
  }

  async function ask(question) {
    pending = { question: question };
    render();
    setBusy(true);
    var history = turns.slice(-MAX_HISTORY).map(function (t) { return { role: t.role, content: t.content }; });
    var node = el("div", "msg bot waiting");
    node.setAttribute("role", "status");
    var body = el("div", "body");
    body.appendChild(el("span", "sr", "Answering"));
    node.appendChild(body);
    log.appendChild(node);
    scrollDown();
    var streamed = "", answer = null;
    controller = window.AbortController ? new AbortController() : null;
    try {
      var response = await fetch("api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
        body: JSON.stringify({ question: question, history: history.length ? history : null }),
        credentials: "omit",
        signal: controller ? controller.signal : undefined,
      });
      if (!response.ok || !response.body) {
        var problem = await errorOf(response);
        fail(question, problem.message, problem.seconds);
        return;
      }
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
                   answerId: typeof answer.answer_id === "string" ? answer.answer_id : null,
                   sources: (answer.sources || []).map(function (s) {
                     return { title: s.title, section: s.section, text: s.text };
                   }) };
      turns.push({ role: "user", content: question }, turn);
      pending = null;
      save();
      render();
      suggest(turn);
    } catch (e) {
      if (e && e.name === "AbortError") {
        turns.push({ role: "user", content: question },
                   { role: "assistant", content: streamed, grounded: false, sources: [], stopped: true });
        pending = null;
        save();
        render();
      } else {
        fail(question, e instanceof TypeError ? "Could not reach the advisor. Check your connection and try again."
                                              : String(e.message || e));
      }
    } finally {
      controller = null;
      setBusy(false);
      if (!pending) render();
    }
  }

  function suggest(turn) {
    var asked = turns.filter(function (t) { return t.role === "user"; }).map(function (t) { return t.content; });
    fetch("embed/follow-ups", {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit",
      body: JSON.stringify({ asked: asked.slice(-50), sources: turn.sources.slice(0, 20) }),
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data || !Array.isArray(data.suggestions) || turns[turns.length - 1] !== turn || busy) return;
      turn.suggestions = data.suggestions.filter(function (q) { return typeof q === "string"; }).slice(0, 3);
      save();
      render();
    }).catch(function () { /* no suggestions this time */ });
  }

  function retryPending() {
    if (busy || !pending) return;
    var question = pending.question;
    if (input.value === question) { input.value = ""; grow(); updateCounter(); }
    ask(question);
  }

  function retryLast() {
    if (busy || turns.length < 2) return;
    var question = turns[turns.length - 2].content;
    turns.splice(turns.length - 2, 2);
    save();
    ask(question);
  }

  function updateCounter() {
    var n = input.value.trim().length, over = n > MAX_CHARS;
    var shown = n >= MAX_CHARS * 0.75 ? number.format(n) + " / " + number.format(MAX_CHARS) + " characters" : "";
    if (over) shown += ": " + number.format(n - MAX_CHARS) + " too many, please shorten it";
    counterNode.textContent = shown;
    counterNode.classList.toggle("over", over);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var question = input.value.trim();
    if (!question) return;
    if (busy) {  // while answering, the text waits in the box, and the chat says so
      counterNode.textContent = "Still answering the last question: yours waits here. Send it when the answer is in, or press Stop.";
      return;
    }
    if (question.length > MAX_CHARS) {
      pending = { question: "", error: "Your question is " + number.format(question.length) + " characters long; the limit is " +
                  number.format(MAX_CHARS) + ". Please shorten it: your text is still in the box." };
      render();
      return;
    }
    if (pending && pending.error) pending = null;
    input.value = "";
    grow();
    updateCounter();
    ask(question);
  });
  stopButton.addEventListener("click", function () { if (controller) controller.abort(); });
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
  input.addEventListener("input", function () { grow(); updateCounter(); });

  $("reset").addEventListener("click", function () {
    if (controller) controller.abort();
    turns = [];
    pending = null;
    save();
    render();
    input.focus();
  });

  fetch("embed/starters", { credentials: "omit" }).then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data || !Array.isArray(data.starters)) return;
      starters = data.starters.filter(function (q) { return typeof q === "string"; }).slice(0, 4);
      if (!turns.length && !pending) render();
    }).catch(function () { /* the chat works without them */ });

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
