"""`POST /v1/intent` and `POST /v1/search`: the assistant's parts, callable on their own."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.commands import SessionState
from assistant.safety.guard import clean_message
from assistant.understand.command_text import format_commands
from ui.deps import ApiKeyDep, StateDep
from ui.protocol import IntentRequest, IntentResponse, SearchRequest, SearchResponse, SearchResult

router = APIRouter(prefix="/v1", tags=["assistant"])


@router.post("/intent", response_model=IntentResponse)
def detect_intent(body: IntentRequest, state: StateDep, _key: ApiKeyDep) -> IntentResponse:
    text = clean_message(body.text, max_chars=state.settings.serve.max_message_chars)
    understood = state.deps.understander.understand(text, SessionState())
    intent = understood.intent
    return IntentResponse(label=intent.label, confidence=round(intent.confidence, 4), abstained=intent.abstained,
                          commands=format_commands(understood.commands).splitlines(), read_by=understood.source)


@router.post("/search", response_model=SearchResponse)
def search(body: SearchRequest, state: StateDep, _key: ApiKeyDep) -> SearchResponse:
    query = clean_message(body.query, max_chars=state.settings.serve.max_message_chars)
    view = state.deps.profiles.view(body.user) if body.user else None
    found = state.deps.retriever.search_with_interpretation(query, body.k, view=view)
    results = [SearchResult(id=h.product.id, title=h.product.title, price=h.product.price, rating=h.product.rating,
                            why=list(h.reasons), score=round(float(h.score), 4), category=h.product.category,
                            brand=h.product.brand) for h in found.hits]
    return SearchResponse(results=results, interpretation=found.interpretation.as_dict())
