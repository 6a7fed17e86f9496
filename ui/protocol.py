"""Wire models of the HTTP API (pydantic lives only here, at the edge).

OpenAI-compatible where a counterpart exists (`/v1/chat/completions`, `/v1/models`); ShopAssist's
own fields ride in the extra object ``shopassist`` of requests and responses, which the official
`openai` client passes through (`extra_body=` going in, `response.model_extra` coming out).
Also the two shapes every route shares: the error body (`error_body`) and the SSE line (`sse`).
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: str | None = Field(None, max_length=20_000)


class ShopAssistOptions(BaseModel):
    session_id: str | None = Field(None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")


class ChatCompletionRequest(BaseModel):
    """OpenAI's request; `user` names the customer (omit for a guest)."""

    model_config = ConfigDict(extra="ignore")
    model: str = Field("shopassist", max_length=100)
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: bool = False
    user: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    max_tokens: int | None = Field(None, ge=1, le=4096)
    temperature: float | None = Field(None, ge=0, le=2)
    repetition_penalty: float | None = Field(None, ge=1, le=2)  # vLLM's extra sampling parameter; raw generation only
    shopassist: ShopAssistOptions | None = None


class ProductCard(BaseModel):
    id: str
    title: str
    price: float | None
    rating: float | None
    why: list[str]
    score: float


class IntentPublic(BaseModel):
    label: str
    confidence: float
    abstained: bool = False


class ActionPublic(BaseModel):
    """An action the assistant took (or refused) on an order this turn."""

    kind: Literal["cancel", "return", "address_change"]
    order_id: str | None
    outcome: Literal["done", "already", "refused"]
    reason: str | None = None  # why refused: not_processing, not_delivered, outside_window, returned, ...


class ShopAssistExtra(BaseModel):
    """ShopAssist's extra field on chat responses (last chunk when streaming)."""

    session_id: str | None = None
    intent: IntentPublic | None = None
    products: list[ProductCard] = []
    handoff: bool = False
    handoff_reason: str | None = None
    ticket_id: int | None = None
    churn_tier: str | None = None
    segment: str | None = None
    blocked: str | None = None  # why the reply was replaced by the safety screen, if it was
    reply_id: int | None = Field(None, description="the stored reply: rate it with POST /v1/events "
                                                   '{"type": "rating", "reply_id": ..., "value": 1 or -1}')
    action: ActionPublic | None = None  # what was done to an order this turn (GET /v1/users/{id}/actions lists them all)
    drafted: bool = False  # the tuned model's draft passed the fact check and is the reply (else the composed reply)


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop", "length"] = "stop"


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class ChatCompletionResponse(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage = Usage()
    shopassist: ShopAssistExtra


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "shopassist"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class IntentRequest(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)


class IntentResponse(IntentPublic):
    commands: list[str] = []  # what the message asks for, one command line each (docs/commands.md)
    read_by: str = ""  # safety, head, model or fallback


class SearchRequest(BaseModel):
    query: str = Field(min_length=1, max_length=20_000)
    k: int = Field(5, ge=1, le=50)
    user: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")


class SearchResult(ProductCard):
    category: str = ""
    brand: str = ""


class SearchResponse(BaseModel):
    results: list[SearchResult]
    interpretation: dict = {}  # the filters read from the query (price, category, ...)


class ProfilePublic(BaseModel):
    user_id: str | None
    segment: str
    orders: int = 0
    days_since_last_order: int | None = None
    top_categories: list[str] = []
    top_brands: list[str] = []
    price_band: tuple[float, float] | None = None
    churn_risk: float | None = None
    churn_tier: str | None = None
    reasons: list[str] = []


PROFILE_EVENTS = ("order", "view", "return")  # also update the customer's profile


class EventCreate(BaseModel):
    """One thing a shopper did. order/view/return update the profile (user_id required); every type
    except view and return is recorded for analytics and credited to the session's experiments."""

    type: Literal["order", "view", "return", "click", "add_to_cart", "rating"]
    user_id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    session_id: str | None = Field(None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$",
                                   description="the chat session (from the `shopassist` field of a reply)")
    product_id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    quantity: int = Field(1, ge=1, le=10_000)
    price: float | None = Field(None, ge=0, le=1_000_000)
    reply_id: int | None = Field(None, ge=1, description="rating: the rated reply (`shopassist.reply_id`)")
    value: Literal[1, -1] | None = Field(None, description="rating: 1 = thumbs up, -1 = thumbs down")
    channel: Literal["api", "store", "widget", "gradio"] = "api"
    timestamp: str | None = Field(None, max_length=40, description="ISO 8601; default now")


class EventResponse(BaseModel):
    accepted: bool = True
    profile: ProfilePublic | None = None  # the updated profile, for order/view/return


class EventBatch(BaseModel):
    events: list[dict] = Field(min_length=1, max_length=1000, description="event objects as for POST /v1/events")


class RejectedEvent(BaseModel):
    index: int
    reason: str


class EventBatchResponse(BaseModel):
    accepted: int
    rejected: list[RejectedEvent] = []


class MessagePublic(BaseModel):
    id: int
    role: str
    content: str
    created_at: str


class SessionPublic(BaseModel):
    id: str
    created_at: str
    messages: int


class HistoryResponse(BaseModel):
    user_id: str
    sessions: list[SessionPublic]


class SessionMessages(BaseModel):
    session_id: str
    messages: list[MessagePublic]


class TicketPublic(BaseModel):
    id: int
    session_id: str
    user_id: str | None
    reason: str
    status: str
    created_at: str
    transcript: list[dict]


class TicketList(BaseModel):
    tickets: list[TicketPublic]


class ErrorDetail(BaseModel):
    message: str
    type: str
    code: int
    hint: str = ""


class ErrorResponse(BaseModel):
    error: ErrorDetail


def error_body(message: str, type: str, code: int, hint: str = "") -> dict:
    """Every error the API sends, as OpenAI's ``{"error": {"message", "type", "code", "hint"}}``."""
    return ErrorResponse(error=ErrorDetail(message=message, type=type, code=code, hint=hint)).model_dump()


def sse(data: dict | str) -> str:
    """One server-sent event: ``data: <json>\\n\\n`` (a string such as "[DONE]" goes as it is)."""
    return f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n"


class OrderItemPublic(BaseModel):
    product_id: str
    title: str
    quantity: int
    unit_price: float
    status: str


class OrderActionPublic(BaseModel):
    id: int
    order_id: str
    customer_id: str
    kind: str  # cancel, return, address_change
    detail: dict
    session_id: str | None
    created_at: str


class OrderPublic(BaseModel):
    order_id: str
    customer_id: str
    placed_on: str  # YYYY-MM-DD
    status: str
    address: str | None  # None = the address on the customer's account
    total: float
    updated_at: str
    items: list[OrderItemPublic]
    actions: list[OrderActionPublic] = []  # newest first


class OrderList(BaseModel):
    orders: list[OrderPublic]  # newest first


class ActionList(BaseModel):
    actions: list[OrderActionPublic]  # newest first
