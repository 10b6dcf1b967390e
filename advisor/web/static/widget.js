/* Career Advisor chat widget. Add to any page:
 *   <script src="https://ADVISOR_HOST/widget.js" data-title="Career Advisor" async></script>
 * Options (data- attributes): data-title, data-accent (a CSS colour), data-position
 * ("bottom-right", "bottom-left", "top-right", "top-left"), data-open="true", data-greeting.
 * A floating button opens a panel holding an iframe of ADVISOR_HOST/embed. The button and panel
 * live in a shadow root with their own styles, so the page's CSS cannot reach them; the chat
 * itself runs inside the cross-origin frame, out of the page's reach. No dependencies, no eval,
 * no innerHTML. Also: window.CareerAdvisorWidget.open() / .close() / .toggle(). */
(function () {
  "use strict";
  if (window.CareerAdvisorWidget) return;

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll('script[src*="widget.js"]');
    return all[all.length - 1];
  })();
  if (!script || !script.src) return;

  var base = new URL(".", script.src);
  var ORIGIN = base.origin;
  var data = script.dataset || {};
  var title = clean(data.title, 80) || "Career Advisor";
  var validAccent = data.accent && window.CSS && CSS.supports("color", data.accent);
  var accent = validAccent ? data.accent : "#1d4ed8";
  var position = /^(top|bottom)-(left|right)$/.test(data.position || "") ? data.position : "bottom-right";
  var greeting = clean(data.greeting, 500);
  var PREFIX = "career-advisor:";

  function clean(value, max) {
    return value ? String(value).replace(/[\u0000-\u001f\u007f]+/g, " ").trim().slice(0, max) : "";
  }

  var CSS_TEXT = [
    // The host element takes nothing from the page: every property reset, with !important
    // (a shadow root's !important beats the page's !important).
    ":host{all:initial!important;display:block!important;position:static!important;}",
    ".wrap{--accent:#1d4ed8;--on-accent:#fff;font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;}",
    ".launcher{position:fixed;z-index:2147483001;width:56px;height:56px;margin:0;padding:0;border:0;",
    "border-radius:50%;background:var(--accent);color:var(--on-accent);cursor:pointer;display:flex;",
    "align-items:center;justify-content:center;box-shadow:0 4px 14px rgba(0,0,0,.28);transition:transform .15s;}",
    ".launcher:hover{transform:scale(1.06);}",
    ".launcher:focus-visible{outline:3px solid #f59e0b;outline-offset:3px;}",
    ".launcher svg{width:28px;height:28px;fill:currentColor;display:block;}",
    ".panel{position:fixed;z-index:2147483000;width:380px;max-width:calc(100vw - 40px);",
    "height:600px;max-height:calc(100vh - 120px);border-radius:14px;overflow:hidden;background:#fff;",
    "box-shadow:0 12px 40px rgba(0,0,0,.3);}",
    ".panel[hidden]{display:none;}",
    ".panel iframe{display:block;width:100%;height:100%;border:0;margin:0;padding:0;background:transparent;}",
    // Hidden until the chat says it is ready: no flash of the browser's broken-frame page.
    ".panel iframe.waiting{visibility:hidden;}",
    ".loading{position:absolute;inset:0;display:flex;align-items:center;justify-content:center;color:#56606e;}",
    "@media (prefers-color-scheme:dark){.panel,.notice{background:#14181f!important;color:#e6e9ee!important;}",
    ".notice a{color:#93c5fd!important;}.loading{color:#aab3bf;}}",
    ".notice{position:absolute;inset:0;display:flex;flex-direction:column;justify-content:center;gap:12px;",
    "padding:24px;background:#fff;color:#1f2933;text-align:center;}",
    ".notice[hidden]{display:none;}",
    ".notice a{color:#1d4ed8;}",
    ".bottom-right .launcher{right:20px;bottom:20px;}.bottom-right .panel{right:20px;bottom:88px;}",
    ".bottom-left .launcher{left:20px;bottom:20px;}.bottom-left .panel{left:20px;bottom:88px;}",
    ".top-right .launcher{right:20px;top:20px;}.top-right .panel{right:20px;top:88px;}",
    ".top-left .launcher{left:20px;top:20px;}.top-left .panel{left:20px;top:88px;}",
    // Phones: the panel takes the screen but for a margin and the button's row.
    "@media (max-width:480px){",
    ".wrap .launcher{width:52px;height:52px;}",
    ".bottom-right .launcher,.top-right .launcher{right:12px;}.bottom-left .launcher,.top-left .launcher{left:12px;}",
    ".bottom-right .launcher,.bottom-left .launcher{bottom:12px;}.top-right .launcher,.top-left .launcher{top:12px;}",
    ".wrap .panel{left:8px;right:8px;width:auto;max-width:none;height:auto;max-height:none;border-radius:12px;}",
    ".bottom-right .panel,.bottom-left .panel{top:8px;bottom:76px;}",
    ".top-right .panel,.top-left .panel{top:76px;bottom:8px;}}",
    "@media (prefers-reduced-motion:reduce){.launcher{transition:none;}}",
  ].join("");

  var SVG = "http://www.w3.org/2000/svg";
  var ICONS = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6a1.3 1.3 0 1 0 0 2.6A1.3 1.3 0 0 0 7 10zm5 0a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6zm5 0a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6z",
    close: "M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12 19 6.4 17.6 5 12 10.6z",
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
  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (content != null) node.textContent = content;
    return node;
  }

  function readableOn(probe, color) {
    probe.style.color = color;
    var rgb = getComputedStyle(probe).color.match(/[\d.]+/g);
    if (!rgb || rgb.length < 3) return "#fff";
    var l = [0, 1, 2].map(function (i) {
      var c = rgb[i] / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2] > 0.4 ? "#111827" : "#fff";
  }

  function start() {
    var host = document.createElement("career-advisor-widget");
    var root = host.attachShadow({ mode: "open" });
    if (root.adoptedStyleSheets && window.CSSStyleSheet && "replaceSync" in CSSStyleSheet.prototype) {
      var sheet = new CSSStyleSheet();  // not subject to the page's style-src CSP
      sheet.replaceSync(CSS_TEXT);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(el("style", null, CSS_TEXT));
    }
    var wrap = el("div", "wrap " + position);
    wrap.style.setProperty("--accent", accent);
    var button = el("button", "launcher");
    button.type = "button";
    button.setAttribute("aria-haspopup", "dialog");
    button.setAttribute("aria-controls", "career-advisor-panel");
    var panel = el("div", "panel");
    panel.id = "career-advisor-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", title);
    panel.hidden = true;
    wrap.appendChild(panel);
    wrap.appendChild(button);
    root.appendChild(wrap);
    document.body.appendChild(host);
    wrap.style.setProperty("--on-accent", readableOn(button, accent));
    button.style.color = "";

    var frame = null, notice = null, loading = null, ready = false, isOpen = false, wantFocus = false, timer = 0;

    function setButton() {
      button.textContent = "";
      button.appendChild(icon(isOpen ? "close" : "chat"));
      button.setAttribute("aria-expanded", String(isOpen));
      button.setAttribute("aria-label", (isOpen ? "Close chat: " : "Open chat: ") + title);
    }

    function embedUrl(widget) {
      var url = new URL("embed", base);
      if (widget) url.searchParams.set("widget", "1");
      url.searchParams.set("title", title);
      if (validAccent) url.searchParams.set("accent", data.accent);
      if (greeting) url.searchParams.set("greeting", greeting);
      return url.href;
    }

    // If the frame never says "ready" (this site is not in ADVISOR_ALLOWED_ORIGINS, or the
    // server is unreachable), say so instead of showing the browser's error page.
    function showNotice() {
      if (ready || notice) return;
      if (loading) { loading.remove(); loading = null; }
      notice = el("div", "notice");
      notice.setAttribute("role", "alert");
      notice.appendChild(el("p", null, "The chat could not be shown on this page."));
      var link = el("a", null, "Open the chat in a new tab");
      link.href = embedUrl(false);
      link.target = "_blank";
      link.rel = "noopener";
      notice.appendChild(link);
      panel.appendChild(notice);
    }

    function ensureFrame() {
      if (frame) return;
      frame = document.createElement("iframe");
      frame.className = "waiting";
      frame.setAttribute("allow", "clipboard-write");  // the Copy buttons inside
      frame.title = title;
      loading = el("div", "loading", "Loading the chat\u2026");
      loading.setAttribute("role", "status");
      panel.appendChild(loading);
      frame.src = embedUrl(true);
      frame.addEventListener("load", function () {
        clearTimeout(timer);
        timer = setTimeout(showNotice, 1500);  // "ready" comes before "load" when the chat can run
      });
      timer = setTimeout(showNotice, 20000);
      panel.appendChild(frame);
    }

    function focusChat() {
      frame.focus();
      if (ready) frame.contentWindow.postMessage({ type: PREFIX + "focus" }, ORIGIN);
      else wantFocus = true;
    }

    function open(focus) {
      ensureFrame();
      isOpen = true;
      panel.hidden = false;
      setButton();
      if (focus) focusChat();
    }

    function close(focus) {
      isOpen = false;
      wantFocus = false;
      panel.hidden = true;
      setButton();
      if (focus) button.focus();
    }

    button.addEventListener("click", function () {
      if (isOpen) close(true);
      else open(true);
    });
    root.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen) {
        event.stopPropagation();
        close(true);
      }
    });
    window.addEventListener("message", function (event) {
      if (!frame || event.source !== frame.contentWindow || event.origin !== ORIGIN) return;
      var type = event.data && event.data.type;
      if (type === PREFIX + "ready") {
        ready = true;
        clearTimeout(timer);
        frame.className = "";
        if (loading) { loading.remove(); loading = null; }
        if (notice) { notice.remove(); notice = null; }
        if (wantFocus && isOpen) focusChat();
        wantFocus = false;
      } else if (type === PREFIX + "close") {
        close(true);
      }
    });

    setButton();
    window.CareerAdvisorWidget = {
      open: function () { open(true); },
      close: function () { close(false); },
      toggle: function () { if (isOpen) close(false); else open(true); },
    };
    if (data.open === "true") open(false);
  }

  window.CareerAdvisorWidget = { open: function () {}, close: function () {}, toggle: function () {} };
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
