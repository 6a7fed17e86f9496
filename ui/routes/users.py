"""Customers: profile, behaviour events, conversation history, handoff tickets."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import ValidationError

from data.errors import BadInput, ShopAssistError
from ui.deps import ApiKeyDep, StateDep
from ui.protocol import (
    PROFILE_EVENTS,
    EventBatch,
    EventBatchResponse,
    EventCreate,
    EventResponse,
    HistoryResponse,
    MessagePublic,
    ProfilePublic,
    RejectedEvent,
    SessionMessages,
    SessionPublic,
    TicketList,
    TicketPublic,
)

router = APIRouter(prefix="/v1", tags=["customers"])
UserId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]


def profile_public(view) -> ProfilePublic:
    fields = set(ProfilePublic.model_fields)
    return ProfilePublic(**{k: v for k, v in dataclasses.asdict(view).items() if k in fields})


@router.get("/users/{user_id}/profile", response_model=ProfilePublic)
def profile(user_id: UserId, state: StateDep, _key: ApiKeyDep) -> ProfilePublic:
    return profile_public(state.deps.profiles.view(user_id))


def analytics_event(event: EventCreate) -> dict | None:
    """The analytics form of an event (views and returns only update the profile)."""
    if event.type in ("view", "return"):
        return None
    data = event.model_dump(exclude_none=True, exclude={"quantity", "price"})
    if event.type == "order" and event.price is not None:
        data["value"] = round(event.price * event.quantity, 2)
    return data


def apply_event(event: EventCreate, state) -> tuple[ProfilePublic | None, dict | None]:
    """Update the profile (an order is checked as analytics first, so a rejected event changes nothing);
    returns the analytics row still to record, which `record_many` validates."""
    profiles = state.deps.profiles  # an id the store does not know is a new shopper: its first event starts a profile
    record = analytics_event(event)
    view = None
    if event.type in PROFILE_EVENTS:
        problem = record is not None and state.analytics.check(record)
        if problem:
            raise BadInput(problem, hint="see POST /v1/events in /docs")
        if event.user_id is None:
            raise BadInput(f"a {event.type} event needs the customer's user_id", hint="guests have no profile")
        view = profiles.record_event(event.model_dump(exclude_none=True, include={"type", "user_id", "product_id", "quantity", "price", "timestamp"}))
    return (profile_public(view) if view is not None else None), record


@router.post("/events", response_model=EventResponse, status_code=202)
def record_event(event: EventCreate, state: StateDep, _key: ApiKeyDep) -> EventResponse:
    """One event: a card click, add-to-cart, order, thumbs up/down (rating), product view or return."""
    profile, record = apply_event(event, state)
    if record is not None:
        _, rejected = state.analytics.record_many([record])
        if rejected:
            raise BadInput(rejected[0].reason, hint="see POST /v1/events in /docs")
    return EventResponse(profile=profile)


@router.post("/events/batch", response_model=EventBatchResponse, status_code=202)
def record_events(batch: EventBatch, state: StateDep, _key: ApiKeyDep) -> EventBatchResponse:
    """Up to 1,000 events in one request; bad ones are reported by index and the rest are kept."""
    rejected, analytics = [], []
    for index, raw in enumerate(batch.events):
        try:
            _, record = apply_event(EventCreate.model_validate(raw), state)  # profile updated
            if record is not None:
                analytics.append((index, record))
        except ValidationError as exc:
            first = exc.errors()[0]
            rejected.append(RejectedEvent(index=index, reason=f"{'.'.join(map(str, first['loc']))}: {first['msg']}"))
        except ShopAssistError as exc:
            rejected.append(RejectedEvent(index=index, reason=exc.message))
    accepted = len(batch.events) - len(rejected) - len(analytics)
    if analytics:  # one transaction for the batch
        stored, bad = state.analytics.record_many([record for _, record in analytics])
        accepted += stored
        rejected += [RejectedEvent(index=analytics[r.index][0], reason=r.reason) for r in bad]
    return EventBatchResponse(accepted=accepted, rejected=sorted(rejected, key=lambda r: r.index))


@router.get("/users/{user_id}/history", response_model=HistoryResponse)
def history(user_id: UserId, state: StateDep, _key: ApiKeyDep) -> HistoryResponse:
    sessions = state.store.sessions(user_id)
    return HistoryResponse(user_id=user_id, sessions=[SessionPublic(id=s.id, created_at=s.created_at, messages=s.messages)
                                                      for s in sessions])


@router.get("/sessions/{session_id}/messages", response_model=SessionMessages)
def session_messages(session_id: Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")], state: StateDep,
                     _key: ApiKeyDep) -> SessionMessages:
    messages = state.store.messages(session_id)
    return SessionMessages(session_id=session_id, messages=[MessagePublic(id=m.id, role=m.role, content=m.content,
                                                                          created_at=m.created_at) for m in messages])


@router.get("/tickets", response_model=TicketList)
def tickets(state: StateDep, _key: ApiKeyDep,
            status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
            limit: Annotated[int, Query(ge=1, le=500)] = 100) -> TicketList:
    return TicketList(tickets=[TicketPublic(id=t.id, session_id=t.session_id, user_id=t.user_id, reason=t.reason,
                                            status=t.status, created_at=t.created_at, transcript=list(t.transcript))
                               for t in state.store.tickets(status=status, limit=limit)])


@router.get("/users/{user_id}/export", tags=["privacy"])
def export_user(user_id: UserId, state: StateDep, _key: ApiKeyDep) -> dict:
    """Everything held about a customer: profile data and every stored conversation."""
    data = state.deps.profiles.export(user_id)
    data["conversations"] = [{"session_id": s.id, "messages": [{"role": m.role, "content": m.content, "at": m.created_at}
                                                               for m in state.store.messages(s.id)]}
                             for s in state.store.sessions(user_id)]
    return data


@router.delete("/users/{user_id}", tags=["privacy"])
def forget_user(user_id: UserId, state: StateDep, _key: ApiKeyDep) -> dict:
    """Right to be forgotten: the profile, its files, conversations and tickets are deleted."""
    state.deps.profiles.forget(user_id)
    return {"forgotten": user_id, "messages_deleted": state.store.forget_user(user_id),
            "analytics_events_deleted": state.analytics.forget(user_id)}
