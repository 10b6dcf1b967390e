"""`advisor` command line: ingest, ask, chat, eval, index, report, serve, mcp."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.core.logs import quiet_libraries
from advisor.core.settings import get_settings

if TYPE_CHECKING:
    from advisor.core.schema import Answer

log = logging.getLogger("advisor")


def _read_question(args) -> str:
    from advisor.core.errors import InvalidInput

    if args.file or args.question == "-":
        raw = sys.stdin.buffer.read() if args.question == "-" and not args.file else Path(args.file).read_bytes()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            where = args.file or "standard input"
            raise InvalidInput(
                f"The question in {where} is not valid UTF-8 text (byte 0x{raw[exc.start]:02x} "
                f"at position {exc.start}). Save it as UTF-8 and try again."
            ) from None
    if args.question is None:
        raise InvalidInput('Give a question, e.g.: advisor ask "What does an MLOps engineer earn?"')
    return args.question


def _format_sources(answer) -> str:
    lines = [f"  [{i}] {s.title} > {s.section}" for i, s in enumerate(answer.sources, 1)]
    return "Sources:\n" + "\n".join(lines) if lines else ""


def cmd_ingest(args) -> int:
    from ingest.indexer import Indexer

    report = Indexer(get_settings(), progress=not args.quiet).run(args.paths or None, rebuild=args.rebuild)
    # skipped files were already reported as warnings, one line each, while loading
    print(report.summary())
    return 0


def cmd_ask(args) -> int:
    from advisor.assembly import Advisor
    from advisor.core.pipeline import clean_question

    question = clean_question(_read_question(args), get_settings().max_question_chars)
    advisor = Advisor.from_settings(backend=args.backend)
    answer = advisor.ask(question)
    if args.json:
        print(answer.model_dump_json(indent=None))
    else:
        print(answer.answer)
        if not answer.grounded:
            print("(not in my sources)")
        src = _format_sources(answer)
        if src:
            print("\n" + src)
    return 0


def cmd_chat(args) -> int:
    from advisor.assembly import Advisor

    print("Loading Career Advisor...", file=sys.stderr)
    advisor = Advisor.from_settings(backend=args.backend)
    print(f"Career Advisor: ask about {advisor.topics()}. Commands: /clear, /quit.")
    examples = advisor.starter_questions(3)
    if examples:
        print("Try: " + " | ".join(examples))
    history: list[dict] = []
    while True:
        try:
            question = input("\nyou> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if question in ("/quit", "/exit", "/q"):
            return 0
        if question == "/clear":
            history = []
            print("(conversation cleared)")
        elif question:
            answer = _chat_turn(advisor, question, history)
            if answer is not None:
                history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]


def _chat_turn(advisor, question: str, history: list[dict]) -> Answer | None:
    """Streams one answer to the terminal, then its sources; None (message printed) on bad input."""
    from advisor.core.errors import InvalidInput

    answer = None
    try:
        print("advisor> ", end="", flush=True)
        for kind, value in advisor.events(question, history):
            if kind == "delta":
                print(value, end="", flush=True)
            else:
                answer = value
        print()
    except InvalidInput as exc:
        print(f"\n{exc}")
        return None
    if answer is None:  # events() always ends with the answer; this keeps the type checker honest
        return None
    if not answer.grounded:
        print("(not in my sources)")
    if answer.sources:
        print(_format_sources(answer))
    return answer


def cmd_eval(args) -> int:
    from advisor.assembly import Advisor
    from advisor.core.evaluation import is_conversation, load_questions, run_conversations, run_eval

    items = load_questions(args.file)
    advisor = Advisor.from_settings(backend=args.backend)
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(open(args.out, "w", encoding="utf-8")) if args.out else None

        def ask(question, history):
            return advisor.ask(question, history).model_dump()

        def write(result):
            if out:
                out.write(json.dumps(result, ensure_ascii=False) + "\n")

        conversations = [i for i in items if is_conversation(i)]
        questions = [i for i in items if not is_conversation(i)]
        runs = ([run_eval(ask, questions, write)] if questions else []) + (
            [run_conversations(ask, conversations, write)] if conversations else []
        )
    for scores in runs:
        print(" ".join(f"{k}={v}" for k, v in scores.summary().items()))
        print("misses:", " ".join(scores.misses) or "none")
    return 0


def cmd_index(args) -> int:
    from advisor.core.store import IndexStore, open_client

    settings = get_settings()
    store = IndexStore(open_client(settings), settings.collection_prefix)
    if args.index_command == "rollback":
        version = store.set_live(args.version)
        print(
            f"Index {version.id} is live ({version.chunks} chunks, built {version.created}). "
            "Running servers switch to it within a few seconds."
        )
        return 0
    if args.index_command == "gc":
        from ingest.indexer import Indexer

        with Indexer(settings, progress=False)._lock():  # not while an ingest on this data folder writes
            deleted = store.collect_garbage()
        print(f"Deleted {deleted} stored records no index version uses.")
        return 0
    live = store.live()
    versions = store.versions()
    if not versions:
        print("No index yet: run `advisor ingest`.")
        return 0
    print(f"{'':2}{'version':28}{'created':27}{'chunks':>7}{'units':>7}  {'corpus':18}model")
    for v in reversed(versions):
        mark = "* " if live and v.id == live.id else "  "
        print(f"{mark}{v.id:28}{v.created:27}{v.chunks:>7}{v.units:>7}  {v.corpus_hash:18}{v.embedding_model}")
    return 0


def cmd_report(args) -> int:
    from advisor.ops.report import build_report, format_report

    report = build_report(get_settings(), args.data_dir or None, args.days, args.threshold, args.top)
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) if args.json else format_report(report))
    return 0


def cmd_serve(args) -> int:
    from advisor.web.server import serve

    serve(host=args.host, port=args.port)
    return 0


def cmd_mcp(args) -> int:
    from advisor.web.mcp_server import run_stdio

    def load():  # in run_stdio's loading thread, imports included: the handshake does not wait
        from advisor.assembly import Advisor

        return Advisor.from_settings(backend=args.backend)

    run_stdio(load)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="advisor", description="Career Advisor: grounded career answers with citations."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens (and show tracebacks)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="index documents (default: the corpus folder)")
    p.add_argument("paths", nargs="*", help="files or folders: Markdown, text, HTML, PDF")
    p.add_argument("--rebuild", action="store_true", help="re-embed everything (with PATHs: index exactly those)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="ask one question")
    p.add_argument("question", nargs="?", help="the question, or - to read it from standard input")
    p.add_argument("--file", help="read the question from a UTF-8 text file")
    p.add_argument("--json", action="store_true", help="print the Answer JSON")
    p.add_argument("--backend", help="answer backend (default: ADVISOR_BACKEND or extractive)")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="chat in the terminal")
    p.add_argument("--backend")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("eval", help="answer a question file and score it")
    p.add_argument("file")
    p.add_argument("--out", help="write one Answer JSON per line, with its id")
    p.add_argument("--backend")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("index", help="list index versions, roll back to one, or clean up stored records")
    index_sub = p.add_subparsers(dest="index_command", required=True)
    index_sub.add_parser("list", help="versions, newest first; * marks the live one")
    index_sub.add_parser("gc", help="delete stored records no version uses (ingest does this for what it drops)")
    rollback = index_sub.add_parser("rollback", help="make an earlier version live again")
    rollback.add_argument("version")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("report", help="knowledge gaps (unanswered or disliked questions, grouped) and drift")
    p.add_argument(
        "--days", type=int, default=None, help="look back this many days (default: ADVISOR_QUESTION_LOG_DAYS)"
    )
    p.add_argument("--top", type=int, default=10, help="groups of questions to list (default 10)")
    p.add_argument("--threshold", type=float, default=0.8, help="cosine similarity to group questions (default 0.8)")
    p.add_argument(
        "--data-dir", action="append", type=Path, help="a replica's data folder (repeatable; default: ADVISOR_DATA_DIR)"
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("mcp", help="serve MCP (Model Context Protocol) over standard input/output")
    p.add_argument("--backend", help="answer backend (default: ADVISOR_BACKEND or extractive)")
    p.set_defaults(func=cmd_mcp)

    p = sub.add_parser("serve", help="serve the web chat, API and widget")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    from advisor.core.errors import AdvisorError, InvalidInput

    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    quiet_libraries()
    try:
        return args.func(args)
    except InvalidInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a clear line for users; the traceback with --verbose
        if args.verbose:
            raise
        if isinstance(exc, (AdvisorError, FileNotFoundError)):
            print(f"error: {exc}", file=sys.stderr)
        else:
            print(f"error: {type(exc).__name__}: {exc} (run with --verbose for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
