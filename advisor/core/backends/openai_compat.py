"""`openai`: any OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp's server, LM Studio, ...)
through langchain_openai.ChatOpenAI (extra `openai`).

Settings: ADVISOR_OPENAI_BASE_URL (e.g. http://127.0.0.1:8000/v1), ADVISOR_OPENAI_API_KEY
(servers without keys accept any), ADVISOR_OPENAI_MODEL.
"""

from __future__ import annotations

from typing import Any

import httpx
from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from advisor.core.backends.base import register
from advisor.core.backends.generative import GenerativeBackend
from advisor.core.settings import Settings


class OpenAICompatBackend(GenerativeBackend):
    name = "openai"

    def make_chat_model(self) -> BaseChatModel:
        s = self.settings
        # The client's own timeouts end a stalled connection; the stream deadlines bound the wait.
        timeout = httpx.Timeout(self.total_timeout, connect=self.first_token_timeout, read=self.first_token_timeout)
        options: dict[str, Any] = {  # a dict: `max_tokens` is a field whose alias type checkers see instead
            "base_url": s.openai_base_url or None,
            "api_key": SecretStr(s.openai_api_key or "none"),
            "model": s.openai_model,
            "temperature": 0.2,
            "max_tokens": 400,
            "streaming": True,
            "timeout": timeout,
            "max_retries": 1,
        }
        return ChatOpenAI(**options)


@register("openai")
def _make(settings: Settings, **kwargs: Any) -> OpenAICompatBackend:
    return OpenAICompatBackend(settings, **kwargs)
