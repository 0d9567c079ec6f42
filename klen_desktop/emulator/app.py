"""The Starlette app of the emulated Klen Calendar API (contract section 2) plus the ICS download.

Checks run in one order on every API request: authentication (401), the per-minute limit (429),
permission (403), the event lookup (404), the request's own validation (400) and, on create only, the
daily creation limit (429). A user fixing a draft is thus told about the draft before the daily limit
(decision 6.22).
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from klen_desktop.emulator import availability, decisions, shapes
from klen_desktop.emulator.admin_http import admin_routes
from klen_desktop.emulator.errors import (
    MSG_AUTH_REQUIRED,
    MSG_INVALID_DURATION,
    MSG_INVALID_KEY,
    MSG_NO_READ,
    MSG_NO_WRITE,
    MSG_SERVER_ERROR,
    ApiError,
    invalid_parameter,
    not_found,
    validation_error,
)
from klen_desktop.emulator.faults import FaultMiddleware
from klen_desktop.emulator.ics import event_ics
from klen_desktop.emulator.keys import ApiKeySpec, extract_key
from klen_desktop.emulator.model import STATUSES, EventRow
from klen_desktop.emulator.requestlog import RequestLogMiddleware
from klen_desktop.emulator.state import EmulatorState
from klen_desktop.emulator.validation import (
    parse_cancel_reason,
    parse_create,
    parse_date,
    parse_json_object,
    parse_patch,
    parse_positive_int,
    parse_put,
)

logger = logging.getLogger(__name__)
API = decisions.API_PREFIX


class ApiHandlers:
    """The endpoint functions, bound to one emulator's state."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def authorize(self, request: Request, *, write: bool) -> ApiKeySpec:
        key, _source = extract_key(request.headers, request.url.query)
        if key is None:
            raise ApiError(401, "authentication_required", MSG_AUTH_REQUIRED)
        spec = self.state.keys.get(key)
        if spec is None or spec.revoked:
            raise ApiError(401, "invalid_key", MSG_INVALID_KEY)
        self.state.limits.admit_request(spec.key, spec.rpm)
        if write and not spec.can_write:
            raise ApiError(403, "permission_denied", MSG_NO_WRITE)
        if not write and not spec.can_read:
            raise ApiError(403, "permission_denied", MSG_NO_READ)
        return spec

    def _event(self, request: Request) -> EventRow:
        row = self.state.store.get(str(request.path_params["event_id"]))
        if row is None:
            raise not_found()
        return row

    def _dates(self, request: Request, default_days: int) -> tuple[date, date]:
        query = request.query_params
        raw_start, raw_end = query.get("start_date"), query.get("end_date")
        start = parse_date(raw_start) if raw_start else self.state.clock().date()
        end = parse_date(raw_end) if raw_end else start + timedelta(days=default_days)
        if end < start:
            raise invalid_parameter("Invalid date range: end_date must not be before start_date")
        return start, end

    async def list_events(self, request: Request) -> Response:
        self.authorize(request, write=False)
        start, end = self._dates(request, decisions.LIST_DEFAULT_RANGE_DAYS)
        status = request.query_params.get("status") or None
        if status is not None and status not in STATUSES:
            raise validation_error(f"Invalid status {status!r}. Allowed values: {', '.join(STATUSES)}")
        page = parse_positive_int("page", request.query_params.get("page"), 1)
        limit = parse_positive_int("limit", request.query_params.get("limit"), decisions.DEFAULT_LIMIT)
        limit = min(limit, decisions.MAX_LIMIT)
        window_start, window_end = availability.window_of(start, end)
        count, rows = self.state.store.window(
            window_start, window_end, status=status, offset=(page - 1) * limit, limit=limit
        )
        body = {
            "count": count,
            "page": page,
            "limit": limit,
            "pages": math.ceil(count / limit),
            "events": [shapes.summary(row) for row in rows],
        }
        return JSONResponse(body)

    async def get_event(self, request: Request) -> Response:
        self.authorize(request, write=False)
        return JSONResponse(shapes.detail(self._event(request)))

    async def create_event(self, request: Request) -> Response:
        spec = self.authorize(request, write=True)
        fields = parse_create(parse_json_object(await request.body()))
        self.state.limits.check_create(spec.key, spec.daily_limit)
        row = self.state.store.insert(fields, uuid=str(uuid4()), now=self.state.clock())
        self.state.limits.record_create(spec.key)
        logger.debug("created event %s", row.id)
        return JSONResponse(shapes.created(row), status_code=201)

    async def update_event(self, request: Request) -> Response:
        self.authorize(request, write=True)
        row = self._event(request)
        body = parse_json_object(await request.body())
        fields = parse_put(body, row.fields) if request.method == "PUT" else parse_patch(body, row.fields)
        saved = self.state.store.save(row.id, fields, now=self.state.clock())
        return JSONResponse(shapes.updated(saved))

    async def cancel_event(self, request: Request) -> Response:
        self.authorize(request, write=True)
        row = self._event(request)
        reason = parse_cancel_reason(parse_json_object(await request.body(), allow_empty=True))
        if row.fields.status == "cancelled":
            # Idempotent (6.11): a retried cancel must not append its reason a second time.
            return JSONResponse(shapes.cancelled(row))
        notes = row.fields.customer_notes
        if reason is not None:
            notes = f"{notes}\n{reason}" if notes else reason
        saved = self.state.store.save(
            row.id, replace(row.fields, status="cancelled", customer_notes=notes), now=self.state.clock()
        )
        return JSONResponse(shapes.cancelled(saved))

    async def availability(self, request: Request) -> Response:
        self.authorize(request, write=False)
        start, end = self._dates(request, decisions.AVAILABILITY_DEFAULT_RANGE_DAYS)
        duration = _duration(request.query_params.get("duration"))
        if (end - start).days + 1 > decisions.MAX_AVAILABILITY_DAYS:
            raise invalid_parameter(f"Invalid date range: at most {decisions.MAX_AVAILABILITY_DAYS} days at a time")
        busy = self.state.store.blocking(*availability.window_of(start, end))
        slots = availability.free_slots(start, end, duration, busy, self.state.clock())
        return JSONResponse(availability.answer(start, end, duration, slots, shapes.format_time))

    async def ics(self, request: Request) -> Response:
        ref = str(request.path_params["uuid"])
        row = None if ref.isdigit() else self.state.store.get(ref)
        if row is None:
            raise not_found()
        return Response(
            event_ics(row),
            media_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{row.uuid}.ics"'},
        )


def _duration(raw: str | None) -> int:
    if raw is None or raw == "":
        return decisions.DEFAULT_DURATION
    try:
        duration = int(raw.strip())
    except ValueError:
        raise ApiError(400, "invalid_duration", MSG_INVALID_DURATION) from None
    low, high = decisions.DURATION_RANGE
    if not low <= duration <= high:
        raise ApiError(400, "invalid_duration", MSG_INVALID_DURATION)
    return duration


async def _api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        body = {"error": "method_not_allowed", "message": f"Method {request.method} is not allowed on this path"}
    elif exc.status_code == 404:
        body = {"error": "not_found", "message": f"No such endpoint: {request.method} {request.url.path}"}
    else:
        body = {"error": "http_error", "message": str(exc.detail)}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _server_error(_request: Request, exc: Exception) -> Response:
    logger.error("emulator handler failed", exc_info=exc)
    return JSONResponse({"error": "server_error", "message": MSG_SERVER_ERROR}, status_code=500)


def build_app(state: EmulatorState) -> Starlette:
    """The ASGI app serving ``state``: API, ICS and the loopback-only admin paths."""
    handlers = ApiHandlers(state)
    routes: list[Any] = [
        Route(f"{API}/events", handlers.list_events, methods=["GET"]),
        Route(f"{API}/events/create", handlers.create_event, methods=["POST"]),
        Route(f"{API}/events/{{event_id}}", handlers.get_event, methods=["GET"]),
        Route(f"{API}/events/{{event_id}}/update", handlers.update_event, methods=["PUT", "PATCH"]),
        Route(f"{API}/events/{{event_id}}/cancel", handlers.cancel_event, methods=["POST"]),
        Route(f"{API}/availability", handlers.availability, methods=["GET"]),
        Route(decisions.ICS_PATH_TEMPLATE, handlers.ics, methods=["GET"]),
        Mount("/_emulator", routes=admin_routes(state)),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestLogMiddleware, log=state.log, clock=state.clock),
            Middleware(FaultMiddleware, injector=state.faults),
        ],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _server_error},
    )
    app.router.redirect_slashes = False
    return app
