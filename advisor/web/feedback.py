"""Likes and dislikes from users, accepted only for answers this server gave.

Every answer the web layer returns carries an `answer_id` (an extra field beside the Answer JSON),
remembered with the question and the Answer (in this process, or in Redis when ADVISOR_REDIS_URL is
set, so any replica accepts it) for a day. The id is a hash of the normalised question and the answer
(text, source ids, backend): the same FAQ answer given a million times is one stored entry, not a
million, and an id is only accepted if this server stored it, i.e. gave that answer to someone. `POST /api/feedback` takes
`{"answer_id", "rating": "like"|"dislike"}`; the Gradio chat's like button is checked the same way
(the liked message must be one this server rendered). A rating cannot be forged for an answer the
server never gave, no other rating exists, nothing a client sends is stored but the rating, and likes
are rate-limited per client like questions (their own count, same ADVISOR_RATE_LIMIT_PER_MINUTE).
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from advisor.core.errors import InvalidInput
from advisor.core.schema import Answer
from advisor.ops.answer_cache import LocalStore, RedisStore, normalise
from advisor.ops.database import StorageUnavailable
from advisor.web.security import SlidingWindowLimiter

ISSUED_TTL_S = 24 * 3600  # a like usually comes within minutes; a day covers a tab left open
ISSUED_LOCAL_SIZE = 20_000  # ~20k answers of a few KB each: tens of MB at most per replica


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # nothing but the id and the rating is taken from a client

    answer_id: str = Field(min_length=1, max_length=64, description="The answer_id of an answer this server gave.")
    rating: Literal["like", "dislike"]


class IssuedAnswer(Answer):
    answer_id: str = Field(description="Send it back with POST /api/feedback to like or dislike this answer.")


class TooManyLikes(Exception):
    def __init__(self, seconds: int, limit: int):
        self.seconds, self.limit = seconds, limit
        super().__init__(
            f"Too many likes: the limit is {limit} a minute. Please try again in {seconds} second"
            f"{'s' if seconds != 1 else ''}."
        )


class FeedbackDesk:
    def __init__(self, store, settings):
        self.store = store
        local = LocalStore(ISSUED_LOCAL_SIZE, ISSUED_TTL_S)
        self.issued = (
            RedisStore(settings.redis_url, ISSUED_TTL_S, local, prefix="advisor:issued:")
            if settings.redis_url
            else local
        )
        self.limiter = SlidingWindowLimiter(
            settings.rate_limit_per_minute, storage_url=settings.redis_url, key_prefix="advisor-feedback"
        )

    def issue(self, question: str, answer: Answer) -> str:
        key = [normalise(question), answer.answer, [s.id for s in answer.sources], answer.backend]
        answer_id = hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]
        self.issued.set(answer_id, json.dumps({"question": question, "answer": answer.model_dump()}))
        return answer_id

    def check_rate(self, client: str) -> None:
        wait = self.limiter.hit(client)
        if wait is not None:
            raise TooManyLikes(max(1, math.ceil(wait)), self.limiter.limit)

    def rate(self, answer_id: str, rating: str, client: str) -> int:
        self.check_rate(client)
        raw = self.issued.get(answer_id)
        if raw is None:
            raise LookupError(
                "This server gave no answer with that answer_id (or it is more than a day old). "
                "Send the answer_id of an answer from /api/ask or /api/chat."
            )
        data = json.loads(raw)
        answer = Answer.model_validate(data["answer"])
        return self.add(rating, data["question"], answer)

    def add(self, rating: str, question: str, answer: Answer) -> int:
        return self.store.add(
            rating, question, answer.answer, [s.model_dump() for s in answer.sources], answer.backend, answer.grounded
        )


def install_feedback(app: FastAPI, desk: FeedbackDesk) -> None:
    router = APIRouter(prefix="/api", tags=["answers"])

    @router.post(
        "/feedback",
        summary="Like or dislike an answer this server gave",
        responses={404: {"description": "Unknown answer_id"}, 429: {"description": "Too many likes"}},
    )
    def feedback(req: FeedbackRequest, request: Request):
        client = request.client.host if request.client else "unknown"
        try:
            rowid = desk.rate(req.answer_id, req.rating, client)
        except TooManyLikes as exc:
            return JSONResponse(
                {"error": str(exc), "retry_after": exc.seconds},
                status_code=429,
                headers={"Retry-After": str(exc.seconds)},
            )
        except LookupError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        except StorageUnavailable as exc:
            return JSONResponse({"error": str(exc)}, status_code=503, headers={"Retry-After": "30"})
        except InvalidInput as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return {"stored": True, "id": rowid}

    app.include_router(router)
