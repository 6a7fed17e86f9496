"""OpenAI-compatible chat: `POST /v1/chat/completions` (SSE or one JSON) and `GET /v1/models`.

Model "shopassist" runs the whole assistant (intent, products, profile, handoff); model
"shopassist-raw" only generates from the given messages, so one ShopAssist can serve as the
remote generator of another (`SHOPASSIST_SERVE__REMOTE_URL`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse

from assistant.database import unavailable
from assistant.turn import Accepted, Finished
from assistant.types import Message, Prompt, Token
from data.errors import BadInput, ShopAssistError
from ui.deps import ApiKeyDep, StateDep
from ui.protocol import (
    ActionPublic,
    AssistantMessage,
    ChatCompletionRequest,
    ChatCompletionResponse,
    Choice,
    IntentPublic,
    ModelCard,
    ModelList,
    ProductCard,
    ShopAssistExtra,
    error_body,
    sse,
)

router = APIRouter(prefix="/v1", tags=["chat"])
PIPELINE_MODEL = "shopassist"
RAW_MODEL = "shopassist-raw"


def product_card(hit) -> ProductCard:
    p = hit.product
    return ProductCard(id=p.id, title=p.title, price=p.price, rating=p.rating, why=list(hit.reasons), score=round(hit.score, 4))


def extra_for(done: Finished) -> ShopAssistExtra:
    view = done.view
    return ShopAssistExtra(
        session_id=done.session_id,
        intent=IntentPublic(label=done.intent.label, confidence=round(done.intent.confidence, 4), abstained=done.intent.abstained),
        products=[product_card(h) for h in done.hits], handoff=done.handoff, handoff_reason=done.handoff_reason,
        ticket_id=done.ticket_id, churn_tier=view.churn_tier if view else None, segment=view.segment if view else None,
        blocked=done.blocked, reply_id=done.reply_id,
        action=ActionPublic(**done.action.__dict__) if done.action else None, drafted=done.drafted)


def split_messages(request: ChatCompletionRequest) -> tuple[str, tuple[Message, ...]]:
    """The customer's new message and the earlier turns. Client system prompts are not trusted, so dropped."""
    last = request.messages[-1]
    if last.role != "user" or not (last.content or "").strip():
        raise BadInput("the last message must be a non-empty user message", hint="end `messages` with {'role': 'user', 'content': ...}")
    history = tuple(Message(m.role, m.content or "") for m in request.messages[:-1] if m.role in ("user", "assistant"))
    return last.content, history


def chunk(completion_id: str, created: int, model: str, delta: dict, finish: str | None = None, **extra) -> dict:
    return {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}


def stream_events(events: Iterator, completion_id: str, created: int, model: str,
                  stored: Accepted | None = None) -> Iterator[str]:
    """Render edge events as OpenAI SSE chunks; errors after the start become an error event. The first chunk
    says where the shopper's message was stored, so a client whose stream breaks can resume that session."""
    ack = {"shopassist": {"session_id": stored.session_id, "message_id": stored.message_id}} if stored else {}
    yield sse(chunk(completion_id, created, model, {"role": "assistant", "content": ""}, **ack))
    try:
        for event in events:
            if isinstance(event, Token):
                yield sse(chunk(completion_id, created, model, {"content": event.text}))
            elif isinstance(event, Finished):
                extra = extra_for(event).model_dump()
                yield sse(chunk(completion_id, created, model, {}, "stop", shopassist=extra))
    except ShopAssistError as exc:
        yield sse(error_body(exc.message, type(exc).__name__, exc.status_code, exc.hint))
    except Exception as exc:  # never a stack trace to the client; the server log has it
        import logging

        outage = unavailable(exc)
        if outage is not None:  # the database went away mid-reply: the message is stored, the reply can be asked again
            yield sse(error_body(outage.message, type(outage).__name__, outage.status_code, outage.hint))
        else:
            logging.getLogger(__name__).exception("stream failed")
            yield sse(error_body("internal error while generating", "internal_error", 500, "retry"))
    yield sse("[DONE]")


def accepted(events: Iterator) -> Accepted:
    """Run a turn up to its first event, which stores the message (bad input raises here, before any
    response starts); the rest of `events` is the reply."""
    first = next(events, None)
    if not isinstance(first, Accepted):
        raise RuntimeError(f"a turn must start with Accepted, not {type(first).__name__}")
    return first


def raw_events(state, request: ChatCompletionRequest) -> Iterator:
    """Plain generation from the given messages (the remote-generation backend)."""
    messages = tuple(Message("system" if m.role in ("system", "developer") else m.role, m.content or "")
                     for m in request.messages if m.role in ("system", "developer", "user", "assistant"))
    prompt = Prompt(messages=messages, template="raw", max_new_tokens=request.max_tokens,
                    repetition_penalty=request.repetition_penalty)
    for piece in state.deps.generator.stream(prompt):
        yield Token(piece)


@router.get("/models", response_model=ModelList)
def list_models(_key: ApiKeyDep) -> ModelList:
    return ModelList(data=[ModelCard(id=PIPELINE_MODEL), ModelCard(id=RAW_MODEL)])


@router.post("/chat/completions", response_model=ChatCompletionResponse,
             responses={200: {"content": {"text/event-stream": {}}, "description": "JSON, or SSE chunks when stream=true"}})
def chat_completions(request: ChatCompletionRequest, state: StateDep, _key: ApiKeyDep,
                     x_session_id: str | None = Header(None, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$"),
                     idempotency_key: str | None = Header(None, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")):
    """`Idempotency-Key`: a message sent again with the same key (a stream broken by a replica that died) is stored
    once and answered once; an answered one gets its stored reply back."""
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    stored = None
    if request.model == RAW_MODEL:
        events: Iterator = raw_events(state, request)
    else:
        if request.model != PIPELINE_MODEL:
            raise BadInput(f"unknown model {request.model!r}", hint=f"use {PIPELINE_MODEL!r} or {RAW_MODEL!r} (GET /v1/models)")
        message, history = split_messages(request)
        session = (request.shopassist.session_id if request.shopassist else None) or x_session_id
        events = state.chat.turn(message, user_id=request.user, session_id=session, history=history or None, channel="api",
                                 key=idempotency_key)
        stored = accepted(events)  # validates and stores the message: errors get a real status, stored = acknowledged
    if request.stream:
        return StreamingResponse(stream_events(events, completion_id, created, request.model, stored), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    text, done = "", None
    for event in events:
        if isinstance(event, Token):
            text += event.text
        elif isinstance(event, Finished):
            done = event
    extra = extra_for(done) if done else ShopAssistExtra()
    content = done.text if done else text.strip()
    return ChatCompletionResponse(id=completion_id, created=created, model=request.model,
                                  choices=[Choice(message=AssistantMessage(content=content))], shopassist=extra)
