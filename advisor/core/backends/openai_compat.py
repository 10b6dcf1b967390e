"""`openai`: any OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp's server, LM Studio, ...)
through langchain_openai.ChatOpenAI (extra `openai`).

Settings: ADVISOR_OPENAI_BASE_URL (e.g. http://127.0.0.1:8000/v1), ADVISOR_OPENAI_API_KEY
(servers without keys accept any), ADVISOR_OPENAI_MODEL.
"""

from __future__ import annotations

import httpx
from langchain_openai import ChatOpenAI

from advisor.core.backends.base import register
from advisor.core.backends.generative import GenerativeBackend


class OpenAICompatBackend(GenerativeBackend):
    name = "openai"

    def make_chat_model(self):
        s = self.settings
        # The client's own timeouts end a stalled connection; the stream deadlines bound the wait.
        timeout = httpx.Timeout(self.total_timeout, connect=self.first_token_timeout, read=self.first_token_timeout)
        return ChatOpenAI(
            base_url=s.openai_base_url or None,
            api_key=s.openai_api_key or "none",
            model=s.openai_model,
            temperature=0.2,
            max_tokens=400,
            streaming=True,
            timeout=timeout,
            max_retries=1,
        )


@register("openai")
def _make(settings, **kwargs) -> OpenAICompatBackend:
    return OpenAICompatBackend(settings, **kwargs)
