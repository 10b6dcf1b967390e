/* The Gradio chat at / (advisor/web/ui.py): what Gradio has no option for. [n] links open the
 * sources and scroll to the one cited; Copy gives clean text with a numbered source list; a
 * character counter under the box; focus back in the box after a starter or a suggestion; a live
 * countdown in rate-limit messages. Reads the DOM only through textContent/innerText. */
(function () {
  "use strict";
  var MAX = window.ADVISOR_MAX_CHARS || 2000;
  var reduced = window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches;
  var number = new Intl.NumberFormat("en");

  function box() { return document.querySelector("#advisor-question textarea"); }
  function messageOf(node) { return node.closest('[data-testid="bot"]') || node.closest(".message"); }

  // ---- [n]: open the sources of that answer and scroll to source n ----
  function showSource(link) {
    var message = messageOf(link);
    var details = message && message.querySelector("details.advisor-sources");
    if (!details) return;
    var n = (link.textContent.match(/\d+/) || [""])[0];
    details.open = true;
    var item = details.querySelector(".advisor-source-" + n);
    if (!item) return;
    item.setAttribute("tabindex", "-1");
    item.scrollIntoView({ block: "nearest", behavior: reduced ? "auto" : "smooth" });
    item.focus({ preventScroll: true });
    item.classList.add("advisor-flash");
    setTimeout(function () { item.classList.remove("advisor-flash"); }, 1600);
  }

  // ---- Copy: the answer's text and its sources, not the HTML behind them ----
  function cleanText(message) {
    var body = message.querySelector(".prose, .md") || message;
    var clone = body.cloneNode(true);
    clone.querySelectorAll("details.advisor-sources, button, .options").forEach(function (n) { n.remove(); });
    var holder = document.createElement("div");
    holder.style.cssText = "position:fixed;left:-10000px;top:0;width:600px;white-space:normal";
    holder.appendChild(clone);
    document.body.appendChild(holder);
    var text = clone.innerText.replace(/\n{3,}/g, "\n\n").trim();
    holder.remove();
    var sources = Array.prototype.map.call(message.querySelectorAll(".advisor-source"), function (s) {
      var head = s.querySelector("strong");
      return (head ? head.textContent : s.textContent).trim();
    });
    return sources.length ? text + "\n\nSources:\n" + sources.join("\n") : text;
  }

  function messageOfButton(button) {
    // A message's buttons sit beside it: the nearest ancestor holding a message holds this one.
    for (var n = button.parentElement; n && n.id !== "advisor-chat"; n = n.parentElement) {
      var found = n.querySelectorAll('[data-testid="bot"], [data-testid="user"]');
      if (found.length) return found[found.length - 1];
    }
    return null;
  }

  function copy(button) {
    var target = messageOfButton(button);
    if (!target) return false;
    var text = cleanText(target);
    if (!navigator.clipboard) return false;
    navigator.clipboard.writeText(text).then(function () {
      button.classList.add("advisor-copied");
      setTimeout(function () { button.classList.remove("advisor-copied"); }, 1500);
    });
    return true;
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) return;
    var cite = target.closest("a.advisor-cite");
    if (cite) { event.preventDefault(); showSource(cite); return; }
    var button = target.closest('#advisor-chat button[aria-label="Copy message"], #advisor-chat button[title="Copy message"]');
    if (button && copy(button)) { event.preventDefault(); event.stopImmediatePropagation(); return; }
    if (target.closest("#advisor-chat button.example, #advisor-chat .option")) {
      // The starters vanish once the chat starts: put the cursor back in the question box.
      [50, 400, 1200].forEach(function (ms) {
        setTimeout(function () {
          var b = box();
          if (b && (document.activeElement === document.body || !document.activeElement)) b.focus();
        }, ms);
      });
    }
  }, true);

  // ---- the character counter: never cut a question silently ----
  function counter() {
    var b = box();
    if (!b) return;
    var shown = document.getElementById("advisor-counter");
    if (!shown) {
      shown = document.createElement("div");
      shown.id = "advisor-counter";
      shown.setAttribute("aria-live", "polite");
      var row = document.getElementById("advisor-ask");
      if (!row) return;
      row.insertAdjacentElement("afterend", shown);
      b.setAttribute("aria-describedby", "advisor-counter");
    }
    var n = b.value.length, over = n > MAX;
    var text = n >= MAX * 0.75 ? number.format(n) + " / " + number.format(MAX) + " characters" : "";
    if (over) text += ": " + number.format(n - MAX) + " too many, please shorten it";
    if (shown.textContent !== text) shown.textContent = text;
    shown.classList.toggle("over", over);
  }
  document.addEventListener("input", function () { hint(""); counter(); }, true);

  // ---- a question sent while the last one is being answered waits in the box, and says so ----
  function hint(text) {
    var shown = document.getElementById("advisor-hint");
    if (!shown) {
      var row = document.getElementById("advisor-ask");
      if (!row || !text) return;
      shown = document.createElement("div");
      shown.id = "advisor-hint";
      shown.setAttribute("role", "status");
      row.insertAdjacentElement("afterend", shown);
    }
    shown.textContent = text;
  }
  function answering() {
    var stop = document.getElementById("advisor-stop");
    return !!(stop && stop.offsetParent);
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.target !== box() || !answering()) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    hint("Still answering the last question: yours waits here. Send it when the answer is in, or press Stop.");
  }, true);

  // ---- live countdowns in rate-limit messages ----
  function tick() {
    document.querySelectorAll(".advisor-countdown").forEach(function (span) {
      if (!span.dataset.start) {
        span.dataset.start = String(Date.now());
        span.dataset.seconds = String(parseInt(span.textContent, 10) || 0);
      }
      var left = Number(span.dataset.seconds) - Math.floor((Date.now() - Number(span.dataset.start)) / 1000);
      var text = left > 0 ? left + (left === 1 ? " second" : " seconds") : "a moment: you can send it now";
      if (span.textContent !== text) span.textContent = text;
    });
  }

  // Gradio marks a given like only by renaming the button ("Liked"): say it as a pressed state too.
  function pressed() {
    document.querySelectorAll('#advisor-chat button[aria-label]').forEach(function (b) {
      var label = b.getAttribute("aria-label");
      if (/^(Liked|Disliked)$/.test(label)) b.setAttribute("aria-pressed", "true");
      else if (/^(Like|Dislike)$/.test(label)) b.setAttribute("aria-pressed", "false");
    });
  }

  setInterval(function () {
    counter();
    tick();
    pressed();
    if (!answering()) hint("");
  }, 500);
})();
