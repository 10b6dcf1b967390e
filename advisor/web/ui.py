"""The Gradio chat served at `/`: streamed answers with their sources, starter and follow-up
questions, like/dislike into the feedback store, history kept in the browser.

A plain `gr.Blocks` rather than `gr.ChatInterface`: the user's own words must be escaped before
they are shown (ChatInterface appends them raw, and the sanitizer would silently drop a
`<script>` a user typed instead of showing it), and the history handed to the Advisor must be the
answers' plain text, without the rendered sources.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
import secrets
import threading
from collections import OrderedDict
from pathlib import Path

import gradio as gr

from advisor.core.errors import InvalidInput
from advisor.core.pipeline import Advisor, is_refusal
from advisor.core.schema import Answer
from advisor.ops.feedback import FeedbackStore

log = logging.getLogger(__name__)

NOT_GROUNDED = "⚠️ **Not in my sources**"
SOURCES_OPEN = '<details class="advisor-sources">'
_SOURCES_BLOCK = re.compile(re.escape(SOURCES_OPEN) + r".*?</details>", re.S)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$", re.M)
N_STARTERS = 4
N_FOLLOW_UPS = 3

CSS = """
.advisor-sources { margin-top: .75em; border-top: 1px solid var(--border-color-primary); padding-top: .5em; }
.advisor-sources summary { cursor: pointer; font-weight: 600; }
.advisor-sources p > strong:only-child { font-size: .95em; }
.advisor-sources blockquote { font-size: .92em; margin: .25em 0 .75em 0; }
footer { display: none !important; }
"""


def escape(text: str) -> str:
    """User and corpus text is shown, never interpreted: <script> becomes visible text. Markdown
    syntax (lists, bold) is untouched, so answers still render as Markdown."""
    return html.escape(text, quote=False)


def render_sources(answer: Answer) -> str:
    """Sources in rank order, numbered like the [n] markers, each with its passage, in a
    collapsible block (closed by default: the answer comes first)."""
    if not answer.sources:
        return ""
    parts = [f"{SOURCES_OPEN}<summary>Sources ({len(answer.sources)})</summary>", ""]
    for n, source in enumerate(answer.sources, 1):
        passage = _HEADING.sub(r"**\1**", escape(source.text.strip()))
        quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in passage.splitlines())
        parts += [f"**[{n}] {escape(source.title)} › {escape(source.section)}**", "", quoted, ""]
    parts.append("</details>")
    return "\n".join(parts)


def render_answer(answer: Answer) -> str:
    body = escape(answer.answer)
    if is_refusal(answer):
        body = f"{NOT_GROUNDED}\n\n{body}"
    sources = render_sources(answer)
    return f"{body}\n\n{sources}" if sources else body


def plain(content) -> str:
    """Text of a chatbot message, whatever shape Gradio hands it over in (str or list of blocks)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return content.get("text") or "" if content.get("type", "text") == "text" else ""
    if isinstance(content, (list, tuple)):
        return "".join(plain(part) for part in content)
    return ""


def answer_text(content) -> str:
    """The answer as the Advisor wrote it: without the sources block, the marker and the escaping."""
    text = _SOURCES_BLOCK.sub("", plain(content))
    text = text.replace(NOT_GROUNDED, "")
    return html.unescape(text).strip()


def to_history(messages: list[dict]) -> list[dict]:
    """Chatbot messages -> the Advisor's history: [{"role", "content": plain str}]."""
    history = []
    for message in messages or []:
        role = message.get("role")
        if role == "user":
            history.append({"role": "user", "content": html.unescape(plain(message.get("content"))).strip()})
        elif role == "assistant":
            history.append({"role": "assistant", "content": answer_text(message.get("content"))})
    return [m for m in history if m["content"]]


def _key(question: str) -> str:
    return " ".join(question.lower().rstrip("?").split())


def follow_ups(advisor: Advisor, answer: Answer, asked: list[str], n: int = N_FOLLOW_UPS) -> list[str]:
    """Questions to try next, without a model: the question-shaped headings of the cited sections
    (sub-questions first), then the sections that follow in the guide; never one already asked or
    the section just answered."""
    if not answer.sources:
        return advisor.starter_questions(n)
    seen = {_key(q) for q in asked}
    seen.add(_key(answer.sources[0].section.split(" > ")[0]))
    candidates = []
    for source in answer.sources:
        parts = [p.strip() for part in source.section.split(" > ") for p in part.split(";")]
        candidates += [p for p in parts[1:] + parts[:1] if p.endswith("?")]
    order = advisor.starter_questions(1000)
    top = answer.sources[0].section.split(" > ")[0]
    if top in order:
        i = order.index(top)
        candidates += order[i + 1 :] + order[:i]
    out = []
    for question in candidates:
        if _key(question) not in seen:
            seen.add(_key(question))
            out.append(question)
    return out[:n]


class AnswerMemory:
    """Recent answers by the hash of their rendered message, so a like stores the full Answer
    (sources, backend) rather than what can be read back from the chat. Bounded."""

    def __init__(self, size: int = 4096):
        self._items: OrderedDict[str, tuple[str, Answer]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    @staticmethod
    def key(content: str) -> str:
        return hashlib.sha256(content.encode("utf-8")).hexdigest()

    def put(self, content: str, question: str, answer: Answer) -> None:
        with self._lock:
            self._items[self.key(content)] = (question, answer)
            self._items.move_to_end(self.key(content))
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def get(self, content: str) -> tuple[str, Answer] | None:
        with self._lock:
            return self._items.get(self.key(content))


def browser_state_secret(data_dir: Path) -> str:
    """A stable key for the encrypted history in the browser, so it survives a server restart."""
    path = Path(data_dir) / "browser_state.key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(24)
        path.write_text(secret)
        return secret


def build_ui(advisor: Advisor, feedback: FeedbackStore, data_dir: Path) -> gr.Blocks:
    memory = AnswerMemory()
    starters = advisor.starter_questions(N_STARTERS)
    max_chars = advisor.settings.max_question_chars

    def respond(message: str, chat: list[dict]):
        """One turn: show the question at once, stream the answer, then replace the streamed text
        with the final rendering (marker, sources, follow-up options)."""
        message = message or ""
        chat = [{k: v for k, v in m.items() if k != "options"} for m in (chat or [])]
        history = to_history(chat)
        try:
            events = advisor.events(message, history)
            kind, value = next(events)
        except InvalidInput as exc:
            gr.Warning(str(exc))
            yield gr.update(value=message), chat
            return
        chat = chat + [{"role": "user", "content": escape(message.strip())}, {"role": "assistant", "content": ""}]
        text, answer = "", None
        while True:
            if kind == "delta":
                text += value
                chat[-1] = {"role": "assistant", "content": escape(text)}
                yield "", chat
            else:
                answer = value
            try:
                kind, value = next(events)
            except StopIteration:
                break
        content = render_answer(answer)
        memory.put(content, message.strip(), answer)
        asked = [m["content"] for m in history if m["role"] == "user"] + [message]
        options = [{"value": q, "label": q} for q in follow_ups(advisor, answer, asked)]
        chat[-1] = {"role": "assistant", "content": content, "options": options}
        yield "", chat

    def on_example(chat: list[dict], event: gr.SelectData):
        yield from respond(event.value["text"] if isinstance(event.value, dict) else str(event.value), chat)

    def on_option(chat: list[dict], event: gr.SelectData):
        yield from respond(str(event.value), chat)

    def on_like(chat: list[dict], event: gr.LikeData):
        index = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        if event.liked in ("", None) or not (0 <= index < len(chat or [])):
            return
        rating = {True: "like", False: "dislike"}.get(event.liked, str(event.liked).lower())
        content = plain(chat[index].get("content"))
        remembered = memory.get(content)
        if remembered:
            question, answer = remembered
            feedback.add(
                rating,
                question,
                answer.answer,
                [s.model_dump() for s in answer.sources],
                answer.backend,
                answer.grounded,
            )
        else:  # an answer from before a restart, restored from the browser: keep what the chat shows
            earlier = [m for m in chat[:index] if m.get("role") == "user"]
            question = html.unescape(plain(earlier[-1]["content"])) if earlier else ""
            feedback.add(rating, question, answer_text(content), [], advisor.backend_name, None)

    def chat_api(message: str, history: list[dict] | None = None) -> dict:
        """Answer a question (with optional history [{"role", "content"}]); returns the Answer JSON,
        the same as POST /api/ask."""
        try:
            return advisor.ask(message, history).model_dump()
        except InvalidInput as exc:
            raise gr.Error(str(exc)) from None

    topics = advisor.topics()
    with gr.Blocks(title="Career Advisor", analytics_enabled=False) as demo:
        gr.Markdown(
            f"## Career Advisor\nAnswers about **{escape(topics)}**, quoted from my career guides with "
            "their sources. When something is not in my guides, I say so."
        )
        saved = gr.BrowserState([], storage_key="career-advisor-history", secret=browser_state_secret(data_dir))
        chatbot = gr.Chatbot(
            value=[],
            elem_id="advisor-chat",
            show_label=False,
            height=560,
            sanitize_html=True,
            render_markdown=True,
            feedback_options=("Like", "Dislike"),
            buttons=["copy"],
            examples=[{"text": q} for q in starters],
            placeholder="**Ask me about a career.** Pick a question below or type your own.",
        )
        with gr.Row():
            textbox = gr.Textbox(
                placeholder="Ask about pay, skills, tools, certifications, interviews...",
                show_label=False,
                container=False,
                scale=8,
                max_lines=6,
                autofocus=True,
                max_length=max_chars,
                elem_id="advisor-question",
            )
            send = gr.Button("Send", variant="primary", scale=1, min_width=80, elem_id="advisor-send")
        clear = gr.Button("Clear chat", size="sm", variant="secondary", elem_id="advisor-clear")

        quiet = {"api_visibility": "undocumented"}
        for trigger in (textbox.submit, send.click):
            trigger(respond, [textbox, chatbot], [textbox, chatbot], **quiet).then(
                lambda chat: chat, chatbot, saved, **quiet
            )
        chatbot.example_select(on_example, [chatbot], [textbox, chatbot], **quiet).then(
            lambda chat: chat, chatbot, saved, **quiet
        )
        chatbot.option_select(on_option, [chatbot], [textbox, chatbot], **quiet).then(
            lambda chat: chat, chatbot, saved, **quiet
        )
        chatbot.like(on_like, [chatbot], None, **quiet)
        clear.click(lambda: ([], []), None, [chatbot, saved], queue=False, **quiet)
        chatbot.clear(lambda: [], None, saved, queue=False, **quiet)
        demo.load(lambda chat: chat or [], saved, chatbot, queue=False, **quiet)
        gr.api(chat_api, api_name="chat")
    return demo
