"""`ollama`: a model served by Ollama, through langchain_ollama.ChatOllama (extra `ollama`).

Settings: ADVISOR_OLLAMA_URL (default http://127.0.0.1:11434), ADVISOR_OLLAMA_MODEL (e.g. llama3.2;
pull it first with `ollama pull`).
"""

from __future__ import annotations

from typing import Any

import httpx
from langchain_core.language_models import BaseChatModel
from langchain_ollama import ChatOllama

from advisor.core.backends.base import register
from advisor.core.backends.generative import GenerativeBackend
from advisor.core.settings import Settings


class OllamaBackend(GenerativeBackend):
    name = "ollama"

    def make_chat_model(self) -> BaseChatModel:
        s = self.settings
        timeout = httpx.Timeout(self.total_timeout, connect=self.first_token_timeout, read=self.first_token_timeout)
        model: BaseChatModel = ChatOllama(  # typed here: without the `ollama` extra, mypy sees Any
            base_url=s.ollama_url,
            model=s.ollama_model,
            temperature=0.2,
            num_predict=400,
            num_ctx=max(int(s.llm_context), 2048),
            client_kwargs={"timeout": timeout},
        )
        return model


@register("ollama")
def _make(settings: Settings, **kwargs: Any) -> OllamaBackend:
    return OllamaBackend(settings, **kwargs)
