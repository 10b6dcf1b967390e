"""The Gradio chat served at `/`: streamed answers with their sources, starter and follow-up
questions, like/dislike into the feedback store, history kept in the browser.

A turn is two events: `submit_*` (not queued) shows the question at once with a typing indicator
and clears the box, then `answer_turn` (queued) streams the answer into that placeholder. Errors
(too long, rate limit with a live countdown, a failure) become an assistant message in the
conversation; the conversation is never replaced and refused text goes back into the box.
Retry, edit-and-resend and stop reuse the same two steps. Behaviour Gradio has no option for
(clickable [n], clean copy, the character counter, focus after a starter) is `static/chat.js`.

A plain `gr.Blocks` rather than `gr.ChatInterface`: the user's own words must be escaped before
they are shown (ChatInterface appends them raw, and the sanitizer would silently drop a
`<script>` a user typed instead of showing it), and the history handed to the Advisor must be the
answers' plain text, without the rendered sources.
"""

from __future__ import annotations

import hashlib
import html
import logging
import math
import re
import secrets
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import gradio as gr

from advisor.core.errors import InvalidInput
from advisor.core.pipeline import Advisor, is_refusal
from advisor.core.schema import Answer
from advisor.ops.feedback import FeedbackStore

log = logging.getLogger(__name__)

NOT_GROUNDED = "⚠️ **Not in my sources**"
SOURCES_OPEN = '<details class="advisor-sources">'
_SOURCES_BLOCK = re.compile(re.escape(SOURCES_OPEN) + r".*?</details>", re.S)
ERROR_OPEN = '<div class="advisor-error" role="alert">'
TYPING = '<span class="advisor-typing" role="status">Answering<span aria-hidden="true">…</span></span>'
STOPPED = "*(stopped)*"
_CITE = re.compile(r"\[(\d{1,2})\]")
_CITE_LINK = re.compile(r'<a class="advisor-cite"[^>]*>(\[\d{1,2}\])</a>')
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$", re.M)
N_STARTERS = 4
N_FOLLOW_UPS = 3

STATIC = Path(__file__).parent / "static"
MAX_CHAT_MESSAGES = 100  # the API caps history at 100 turns; the chat keeps as many messages

CSS = (STATIC / "chat.css").read_text(encoding="utf-8")


def head(max_chars: int) -> str:
    """What goes into the page's <head>: the question limit for the counter, and chat.js."""
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    return f"<script>window.ADVISOR_MAX_CHARS = {int(max_chars)};</script>\n<script>\n{script}\n</script>"


def escape(text: str) -> str:
    """User and corpus text is shown, never interpreted: <script> becomes visible text. Markdown
    syntax (lists, bold) is untouched, so answers still render as Markdown."""
    return html.escape(text, quote=False)


def cited(answer: Answer) -> list[int]:
    """The source numbers the answer's [n] markers point at, in order of first mention."""
    numbers = []
    for match in _CITE.finditer(answer.answer):
        n = int(match[1])
        if 1 <= n <= len(answer.sources) and n not in numbers:
            numbers.append(n)
    return numbers


def place(title: str, section: str) -> str:
    """A source's place in its guide: guide › section › subsection."""
    return " › ".join([title, *[p.strip() for p in section.split(" > ") if p.strip()]])


def render_sources(answer: Answer) -> str:
    """The sources the answer cites, numbered like its [n] markers (all of them when it cites
        none), each with its place in the guide and its passage, in a block closed by default: the
        answer comes first. Source n has the class advisor-source-n (Gradio's sanitizer drops data-
    attributes) so a click on [n] can open and scroll to it."""
    if not answer.sources:
        return ""
    numbers = cited(answer) or list(range(1, len(answer.sources) + 1))
    parts = [f"{SOURCES_OPEN}<summary>Sources ({len(numbers)})</summary>", ""]
    for n in sorted(numbers):
        source = answer.sources[n - 1]
        passage = _HEADING.sub(r"**\1**", escape(source.text.strip()))
        quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in passage.splitlines())
        where = escape(place(source.title, source.section))
        parts += [
            f'<div class="advisor-source advisor-source-{n}">',
            "",
            f"**[{n}] {where}**",
            "",
            quoted,
            "",
            "</div>",
            "",
        ]
    parts.append("</details>")
    return "\n".join(parts)


def link_citations(body: str, answer: Answer) -> str:
    """[n] becomes a link to source n (chat.js opens the sources and scrolls to it)."""

    def link(match: re.Match) -> str:
        n = int(match[1])
        if not 1 <= n <= len(answer.sources):
            return match[0]
        return f'<a class="advisor-cite" href="#advisor-source-{n}">[{n}]</a>'

    return _CITE.sub(link, body)


def render_answer(answer: Answer) -> str:
    body = link_citations(escape(answer.answer), answer)
    if is_refusal(answer):
        body = f"{NOT_GROUNDED}\n\n{body}"
    sources = render_sources(answer)
    return f"{body}\n\n{sources}" if sources else body


def render_error(message: str, seconds: int | None = None) -> str:
    """An error said by the assistant, inside the conversation. With `seconds`, a countdown that
    chat.js keeps live."""
    text = escape(message)
    if seconds is not None:
        unit = "second" if seconds == 1 else "seconds"
        text = text.replace(f"{seconds} {unit}", f'<span class="advisor-countdown">{seconds} {unit}</span>', 1)
    return f"{ERROR_OPEN}\n\n{text}\n\n</div>"


def is_error(content) -> bool:
    return plain(content).startswith(ERROR_OPEN)


def is_placeholder(content) -> bool:
    return plain(content) == TYPING


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
    """The answer as the Advisor wrote it: without the sources block, links, marker and escaping."""
    text = _SOURCES_BLOCK.sub("", plain(content))
    text = _CITE_LINK.sub(r"\1", text).replace(NOT_GROUNDED, "").replace(STOPPED, "")
    return html.unescape(text).strip()


def to_history(messages: list[dict]) -> list[dict]:
    """Chatbot messages -> the Advisor's history: [{"role", "content": plain str}]. Error messages,
    the typing placeholder and the question they answered are left out."""
    history = []
    for message in messages or []:
        role, content = message.get("role"), message.get("content")
        if role == "user":
            history.append({"role": "user", "content": html.unescape(plain(content)).strip()})
        elif role == "assistant":
            if is_error(content) or is_placeholder(content):
                if history and history[-1]["role"] == "user":
                    history.pop()
                continue
            history.append({"role": "assistant", "content": answer_text(content)})
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


class Turns:
    """Turn ids already answered (bounded), so each pending question is answered exactly once."""

    def __init__(self, size: int = 10_000):
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def take(self, turn: str) -> bool:
        with self._lock:
            if turn in self._seen:
                return False
            self._seen[turn] = None
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)
            return True


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


def _messages(chat) -> list[dict]:
    """The chat as Gradio hands it over, with anything that is not a message dropped."""
    return [m for m in chat if isinstance(m, dict)] if isinstance(chat, list) else []


def _api_question(message) -> str:
    if not isinstance(message, str):
        raise InvalidInput("The question must be a string.")
    return message


def _api_history(history) -> list[dict] | None:
    """The /chat API's history, checked as strictly as POST /api/ask checks its body."""
    if history is None:
        return None
    if not isinstance(history, list) or len(history) > MAX_CHAT_MESSAGES:
        raise InvalidInput(f"'history' must be a list of at most {MAX_CHAT_MESSAGES} messages.")
    for turn in history:
        if not (
            isinstance(turn, dict)
            and turn.get("role") in ("user", "assistant")
            and isinstance(turn.get("content"), str)
        ):
            raise InvalidInput('Each history message must be {"role": "user" or "assistant", "content": "text"}.')
    return [{"role": t["role"], "content": t["content"]} for t in history] or None


def _like(memory: AnswerMemory, feedback: FeedbackStore, desk, chat: list[dict], event: gr.LikeData, request) -> None:
    """Stores a like or dislike for an answer this server rendered in this process (its content hash
    is the id); anything else (a message the client made up, an answer restored from before a restart)
    is refused with a message. Likes count against their own per-client rate limit."""
    from advisor.ops.database import StorageUnavailable
    from advisor.web.feedback import TooManyLikes

    index = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
    if event.liked not in (True, False) or not isinstance(index, int) or not (0 <= index < len(chat or [])):
        return  # an un-like, or no message: nothing to store
    rating = "like" if event.liked else "dislike"
    remembered = memory.get(plain(chat[index].get("content")))
    if remembered is None:
        gr.Warning("Feedback can only be given on answers from this chat session. Ask again to rate the answer.")
        return
    client = getattr(getattr(request, "client", None), "host", None) or "unknown"
    try:
        if desk is not None:
            desk.check_rate(client)
        question, answer = remembered
        feedback.add(
            rating, question, answer.answer, [s.model_dump() for s in answer.sources], answer.backend, answer.grounded
        )
    except (TooManyLikes, StorageUnavailable) as exc:
        gr.Warning(str(exc))


def _bare(chat: list[dict] | None) -> list[dict]:
    """The chat without the follow-up options of earlier answers (only the last answer offers them)."""
    return [{k: v for k, v in m.items() if k != "options"} for m in _messages(chat)[-MAX_CHAT_MESSAGES:]]


def too_long_message(length: int, max_chars: int) -> str:
    return (
        f"Your question is {length:,} characters long; the limit is {max_chars:,}. "
        "Please shorten it: your text is still in the box."
    )


def rate_limit_message(limit: int, seconds: int) -> str:
    return (
        f"Too many questions: the limit is {limit} question{'s' if limit != 1 else ''} a minute. "
        f"Please try again in {seconds} second{'s' if seconds != 1 else ''}. "
        "Your question is back in the box; press Enter or ↻ Retry to send it again."
    )


def _client(request: gr.Request | None) -> str:
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or "unknown"


IDLE = (False, gr.update(visible=True), gr.update(visible=False))  # busy, Send shown, Stop hidden
WORKING = (True, gr.update(visible=False), gr.update(visible=True))


class ChatTurns:
    """The chat's event handlers. A turn's first step (`submit_*`, not queued) returns
    (textbox, chat, pending, busy, send, stop); `answer_turn` (queued) streams the answer.
    `limiter` (security.SlidingWindowLimiter) counts the browser's questions inside the turn, so
    going over the limit is said in the conversation instead of failing the event."""

    def __init__(self, advisor: Advisor, feedback: FeedbackStore, limiter=None, desk=None):
        self.advisor, self.feedback, self.limiter = advisor, feedback, limiter
        self.desk = desk  # advisor/web/feedback.py: answer ids and the likes' rate limit
        self.memory = AnswerMemory()
        self.turns = Turns()
        self.max_chars = advisor.settings.max_question_chars

    def start(self, question: str, chat: list[dict]):
        """Outputs of a turn's first step: (textbox, chat, pending, busy, send, stop)."""
        chat = _bare(chat) + [
            {"role": "user", "content": escape(question)},
            {"role": "assistant", "content": TYPING},
        ]
        return ("", chat, {"question": question, "turn": secrets.token_hex(8)}, *WORKING)

    def refuse(self, text: str, chat: list[dict], message: str):
        """The question is not sent: say why in the conversation and keep the text in the box."""
        chat = _bare(chat) + [{"role": "assistant", "content": render_error(message)}]
        return (text, chat, None, *IDLE)

    def submit_question(self, text: str, chat: list[dict], busy: bool):
        if busy:  # chat.js says so in the page; the text stays in the box
            return (gr.skip(),) * 6
        question = (text if isinstance(text, str) else "").strip()  # Gradio passes what a client sends
        if not question:
            return (gr.skip(),) * 6
        if len(question) > self.max_chars:
            return self.refuse(text, chat, too_long_message(len(question), self.max_chars))
        return self.start(question, chat)

    def submit_example(self, chat: list[dict], busy: bool, event: gr.SelectData):
        value = event.value["text"] if isinstance(event.value, dict) else str(event.value)
        return (gr.skip(),) + self.submit_question(value, chat, busy)[1:]

    def submit_option(self, chat: list[dict], busy: bool, event: gr.SelectData):
        return (gr.skip(),) + self.submit_question(str(event.value), chat, busy)[1:]

    def submit_retry(self, chat: list[dict], busy: bool, event: gr.RetryData):
        """↻ on the last answer: ask its question again in place."""
        if busy:
            return (gr.skip(),) * 6
        chat = _bare(chat)
        users = [i for i, m in enumerate(chat) if m.get("role") == "user"]
        if not users:
            return (gr.skip(),) * 6
        question = html.unescape(plain(chat[users[-1]]["content"])).strip()
        return (gr.skip(),) + self.start(question, chat[: users[-1]])[1:]

    def submit_edit(self, chat: list[dict], busy: bool, event: gr.EditData):
        """A question edited in place: the conversation from there on is asked again."""
        index = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        chat = _bare(chat)
        if busy or not (0 <= index < len(chat)) or chat[index].get("role") != "user":
            return (gr.skip(),) * 6
        question = html.unescape(plain(event.value)).strip()
        if not question or len(question) > self.max_chars:
            return self.refuse(question, chat, too_long_message(len(question), self.max_chars))
        return (gr.skip(),) + self.start(question, chat[:index])[1:]

    def answer_turn(self, pending: dict | None, chat: list[dict], request: gr.Request):
        """Streams the answer to the pending question into the placeholder at the end of `chat`.
        Outputs: (chat, busy, send, stop, textbox). A turn is answered once: a first step that was
        skipped (busy, empty) leaves the pending turn as it was, already taken."""
        chat = _bare(chat)
        turn = (pending or {}).get("turn")
        if not turn or not self.turns.take(turn) or not chat or not is_placeholder(chat[-1].get("content")):
            yield (gr.skip(),) * 5
            return
        question = str((pending or {})["question"])
        wait = self.limiter.hit(_client(request)) if self.limiter is not None else None
        if wait is not None:
            seconds = max(1, math.ceil(wait))
            chat[-1] = {
                "role": "assistant",
                "content": render_error(rate_limit_message(self.limiter.limit, seconds), seconds),
            }
            yield chat, *IDLE, question
            return
        history = to_history(chat[:-2])
        text, answer = "", None
        try:
            for kind, value in self.advisor.events(question, history):
                if kind == "delta":
                    text += str(value)
                    chat[-1] = {"role": "assistant", "content": escape(text)}
                    yield chat, *WORKING, gr.skip()
                else:
                    answer = value
            if answer is None:
                raise RuntimeError("the answer stream ended without an answer")
        except InvalidInput as exc:
            chat[-1] = {"role": "assistant", "content": render_error(str(exc))}
            yield chat, *IDLE, question
            return
        except Exception:
            log.exception("The chat could not answer")
            chat[-1] = {
                "role": "assistant",
                "content": render_error("Something went wrong while answering. Please try again with ↻ Retry."),
            }
            yield chat, *IDLE, gr.skip()
            return
        assert isinstance(answer, Answer)
        content = render_answer(answer)
        self.memory.put(content, question, answer)
        asked = [m["content"] for m in history if m["role"] == "user"] + [question]
        options = [{"value": q, "label": q} for q in follow_ups(self.advisor, answer, asked)]
        chat[-1] = {"role": "assistant", "content": content, "options": options}
        yield chat, *IDLE, gr.skip()

    def stop_turn(self, chat: list[dict]):
        """Stop: keep what was streamed so far, marked as stopped."""
        chat = _bare(chat)
        if chat and chat[-1].get("role") == "assistant" and not is_error(chat[-1].get("content")):
            content = plain(chat[-1].get("content"))
            shown = "" if content == TYPING else content
            chat[-1] = {"role": "assistant", "content": f"{shown}\n\n{STOPPED}".strip()}
        return chat, *IDLE

    def on_like(self, chat: list[dict], event: gr.LikeData, request: gr.Request):
        _like(self.memory, self.feedback, self.desk, chat, event, request)

    @staticmethod
    def remember_feedback(chat: list[dict], marks: list | None, event: gr.LikeData):
        """The like/dislike shown on each answer, kept in the browser beside the conversation, so a
        reload shows them again (Chatbot's feedback_value: one entry per assistant message)."""
        index = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        if not (0 <= index < len(chat or [])):
            return gr.skip()
        n = sum(1 for m in chat[:index] if m.get("role") == "assistant")
        count = sum(1 for m in chat if m.get("role") == "assistant")
        marks = (list(marks or []) + [None] * count)[:count]
        liked = "Like" if event.liked is True else "Dislike" if event.liked is False else (event.liked or None)
        marks[n] = liked if isinstance(liked, str) else None
        return marks

    def chat_api(self, message: str, history: list[dict] | None = None) -> dict:
        """Answer a question (with optional history [{"role", "content"}]); returns the Answer JSON,
        the same as POST /api/ask."""
        try:
            answer = self.advisor.ask(_api_question(message), _api_history(history))
        except InvalidInput as exc:
            raise gr.Error(str(exc), print_exception=False) from None  # bad input: no traceback in the log
        return {
            **answer.model_dump(),
            **({"answer_id": self.desk.issue(message, answer)} if self.desk is not None else {}),
        }


def build_ui(advisor: Advisor, feedback: FeedbackStore, data_dir: Path, limiter=None, desk=None) -> gr.Blocks:
    handlers = ChatTurns(advisor, feedback, limiter, desk)

    def restore(chat: list[dict] | None, marks: list | None):
        """The conversation and its likes, as this browser kept them."""
        chat = chat or []
        count = sum(1 for m in chat if m.get("role") == "assistant")
        return gr.update(value=chat, feedback_value=(list(marks or []) + [None] * count)[:count])

    starters = advisor.starter_questions(N_STARTERS)
    topics = advisor.topics()
    with gr.Blocks(title="Career Advisor", analytics_enabled=False) as demo:
        gr.Markdown(
            f"## Career Advisor\nAnswers about **{escape(topics)}**, quoted from my career guides with "
            "their sources. When something is not in my guides, I say so.",
            elem_id="advisor-intro",
        )
        saved = gr.BrowserState([], storage_key="career-advisor-history", secret=browser_state_secret(data_dir))
        marks = gr.BrowserState([], storage_key="career-advisor-feedback")
        pending = gr.State(None)
        busy = gr.State(False)
        chatbot = gr.Chatbot(
            value=[],
            elem_id="advisor-chat",
            show_label=False,
            label="Conversation",
            height=560,
            sanitize_html=True,
            render_markdown=True,
            feedback_options=("Like", "Dislike"),
            buttons=["copy"],
            editable="user",
            examples=[{"text": q} for q in starters],
            placeholder="**Ask me about a career.** Pick a question below or type your own.",
        )
        with gr.Row(elem_id="advisor-ask"):
            textbox = gr.Textbox(
                placeholder="Ask about pay, skills, tools, certifications, interviews...",
                label="Your question",
                show_label=False,
                container=False,
                scale=8,
                max_lines=6,
                autofocus=True,
                elem_id="advisor-question",
            )
            send = gr.Button("Send", variant="primary", scale=1, min_width=80, elem_id="advisor-send")
            stop = gr.Button("Stop", variant="stop", scale=1, min_width=80, visible=False, elem_id="advisor-stop")
        clear = gr.Button("Clear chat", size="sm", variant="secondary", elem_id="advisor-clear")

        quiet: dict[str, Any] = {"api_visibility": "undocumented"}
        first = [textbox, chatbot, pending, busy, send, stop]
        answering = []

        def chain(event):
            outputs = [chatbot, busy, send, stop, textbox]
            answer = event.then(handlers.answer_turn, [pending, chatbot], outputs, show_progress="hidden", **quiet)
            answering.append(answer)
            answer.then(lambda chat: chat, chatbot, saved, **quiet)

        no_spinner: dict[str, Any] = {"queue": False, "show_progress": "hidden", **quiet}
        chain(textbox.submit(handlers.submit_question, [textbox, chatbot, busy], first, **no_spinner))
        chain(send.click(handlers.submit_question, [textbox, chatbot, busy], first, **no_spinner))
        chain(chatbot.example_select(handlers.submit_example, [chatbot, busy], first, **no_spinner))
        chain(chatbot.option_select(handlers.submit_option, [chatbot, busy], first, **no_spinner))
        chain(chatbot.retry(handlers.submit_retry, [chatbot, busy], first, **no_spinner))
        chain(chatbot.edit(handlers.submit_edit, [chatbot, busy], first, **no_spinner))
        stop.click(handlers.stop_turn, [chatbot], [chatbot, busy, send, stop], cancels=answering, **no_spinner).then(
            lambda chat: chat, chatbot, saved, **quiet
        )
        chatbot.like(handlers.on_like, [chatbot], None, **quiet)
        chatbot.like(handlers.remember_feedback, [chatbot, marks], marks, queue=False, **quiet)
        clear.click(lambda: ([], [], []), None, [chatbot, saved, marks], queue=False, **quiet)
        chatbot.clear(lambda: ([], []), None, [saved, marks], queue=False, **quiet)
        demo.load(restore, [saved, marks], chatbot, queue=False, **quiet)
        gr.api(handlers.chat_api, api_name="chat")
    return demo
