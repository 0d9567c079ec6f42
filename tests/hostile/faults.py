"""Generated server misbehaviour for the hostile property: what one poll's answers may do wrong.

A :class:`Fault` names a kind of misbehaviour, which requests it hits (every list page, the first, the later
ones, only the first walk, or the detail reads) and the values drawn for it. :func:`install` scripts it on a
:class:`HostileServer`; requests it leaves alone get the sane calendar's answer. Kinds that damage one event
name it in ``corrupted`` (the property does not hold the server to listing it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from hypothesis import strategies as st

from hostile.server import EVENTS_PATH, HostileServer, Reply, SeenRequest, repeated
from klen_desktop.emulator import shapes

MB = 1024 * 1024

# Kinds the app always held, and the kinds it was hardened against later (odd times, lying pages, huge and deep
# answers, odd Retry-After values).
HELD_KINDS = (
    "sane",
    "malformed_json",
    "not_json",
    "wrong_types",
    "extra_fields",
    "rate_limited",
    "server_error",
    "drop",
    "slow_drip",
    "chunked",
    "lying_length",
    "huge_string",
)
NEWER_KINDS = (
    "unknown_enum",
    "implausible_date",
    "deep_nesting",
    "huge_id",
    "lying_pages",
    "lying_count",
    "inconsistent_pages",
    "huge_retry_after",
    "oversized",
)
# After these the poll must succeed and hold every event the server lists (for the two
# last: unknown values are kept, one implausible event is skipped and the rest of the window syncs).
MUST_SUCCEED = frozenset({"sane", "extra_fields", "slow_drip", "chunked", "unknown_enum", "implausible_date"})
# Kinds that can only touch a list page (they need its events); the others also hit detail reads.
_PAGE_ONLY = frozenset(
    {"unknown_enum", "implausible_date", "huge_id", "lying_pages", "lying_count", "inconsistent_pages", "extra_fields"}
)

SMALL_RETRY_AFTER = ["0", "1", "-5", "nan", "inf", "", "soon", "1.5", "Wed, 21 Oct 2015 07:28:00 GMT"]
HUGE_RETRY_AFTER = [
    "1000000000",
    "1e12",
    "1" + "0" * 30,
    "Fri, 01 Jan 2100 00:00:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT",
]
IMPLAUSIBLE_TIMES = [
    "0001-01-01T00:00:00.000Z",
    "0500-06-01T10:00:00.000Z",
    "0999-12-31T23:00:00.000Z",
    "9999-12-31T23:59:59.999Z",
    "1970-01-01T00:00:00.000Z",
]
PAGE_KEYS = ("count", "page", "limit", "pages", "events")
# Values of the wrong type for each field (none a lax parser could read as a right one, like "5" for 5).
_NOT_INTS: list[Any] = ["many", "", None, 1.5, [], {}, [1], {"n": 1}]
_NOT_TEXTS: list[Any] = [None, 7, 1.5, True, [], ["a"], {"a": "b"}]
WRONG_FOR: dict[str, list[Any]] = {
    "events": [{}, "none", 3, None, [1, 2], [None], [[]], [{"id": "x"}]],
    "id": _NOT_INTS,
    "uuid": _NOT_TEXTS,
    "title": _NOT_TEXTS,
    "event_type": _NOT_TEXTS,
    "status": _NOT_TEXTS,
    "start_time": [None, "yesterday", "2025-13-45T99:00:00Z", [], {}, 1.5e20, "2025-05-01T14:00:00"],
    "end_time": [None, "", "25:00", [], True],
    "customer": ["Ann", 5, [1], True],
    "has_video_conference": ["maybe", [], {}, 2],
}

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=6,
)


@dataclass(frozen=True)
class Fault:
    kind: str
    target: str = "all"  # all | first | later | first_walk | details
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def must_succeed(self) -> bool:
        return self.kind in MUST_SUCCEED


@st.composite
def faults(draw: st.DrawFn, kinds: tuple[str, ...]) -> Fault:
    kind = draw(st.sampled_from(kinds))
    targets = ["all", "first", "later", "first_walk"] + ([] if kind in _PAGE_ONLY else ["details"])
    target = draw(st.sampled_from(targets))
    params: dict[str, Any] = {"pick": draw(st.integers(0, 10_000))}
    if kind == "malformed_json":
        params["cut"] = draw(st.floats(0.0, 0.99))
    elif kind == "not_json":
        params["body"] = draw(st.sampled_from([b"<html>busy</html>", b"", b"null", b"[]", b"\xff\xfe{"]) | st.binary())
    elif kind == "extra_fields":
        params["key"] = draw(any_text)
        params["value"] = draw(json_values)
    elif kind == "wrong_types":
        params["key"] = key = draw(st.sampled_from([*PAGE_KEYS, *WRONG_FOR]))
        params["value"] = draw(st.sampled_from(WRONG_FOR.get(key, _NOT_INTS)))
    elif kind == "rate_limited":
        params["retry_after"] = draw(st.sampled_from([*SMALL_RETRY_AFTER, None]))
    elif kind == "huge_retry_after":
        params["retry_after"] = draw(st.sampled_from(HUGE_RETRY_AFTER))
    elif kind == "server_error":
        params["status"] = draw(st.sampled_from([500, 502, 503, 504]))
        params["body"] = draw(st.sampled_from([b"", b"<h1>Bad gateway</h1>", b'{"error": "server_error"}']))
    elif kind == "drop":
        params["where"] = draw(st.sampled_from(["before_headers", "mid_headers", "mid_body"]))
        params["after"] = draw(st.integers(0, 5000))
    elif kind == "lying_length":
        params["delta"] = draw(st.integers(1, 40)) * draw(st.sampled_from([-1, 1]))
    elif kind == "huge_string":
        params["size"] = draw(st.sampled_from([100_000, 1_000_000, 2_500_000]))
        params["key"] = draw(st.sampled_from(["title", "location", "uuid", "video_conference_url"]))
    elif kind == "unknown_enum":
        params["key"] = draw(st.sampled_from(["event_type", "status"]))
        params["value"] = draw(st.sampled_from(["webinar", "postponed", "MEETING", ""]) | any_text)
    elif kind == "implausible_date":
        params["key"] = draw(st.sampled_from(["start_time", "end_time"]))
        params["value"] = draw(st.sampled_from(IMPLAUSIBLE_TIMES))
    elif kind == "deep_nesting":
        params["depth"] = draw(st.sampled_from([1_000, 20_000, 100_000]))
        params["whole"] = draw(st.booleans())
    elif kind == "huge_id":
        params["value"] = draw(st.sampled_from([10**30, 2**63, -(2**63) - 1, 0, -7]))
    elif kind == "lying_pages":
        params["pages"] = draw(st.sampled_from([10**6, 10**9, 2**63]))
    elif kind == "lying_count":
        params["count"] = draw(st.sampled_from([0, -1, 10**9]) | st.integers(0, 400))
    elif kind == "inconsistent_pages":
        params["how"] = draw(st.sampled_from(["page_empty", "drop_one", "shift", "count_without_events"]))
    elif kind == "oversized":
        params["framing"] = draw(st.sampled_from(["content-length", "chunked", "until-close"]))
    return Fault(kind, target, params)


@dataclass
class Installed:
    """What an installed fault did: the events it damaged (ids as the sane server has them)."""

    corrupted: set[int] = field(default_factory=set)


def install(server: HostileServer, fault: Fault) -> Installed:
    """Script ``fault`` on ``server`` (whose scripts were reset) for the next poll."""
    installed = Installed()
    if fault.kind == "sane":
        return installed
    walk = {"first_page_seen": 0}
    guard = 300  # a walk that never stops by itself still ends: the server fails past this

    def on_list(request: SeenRequest, n: int) -> Reply | None:
        page_no = request.query.get("page", "1")
        if page_no == "1":
            walk["first_page_seen"] += 1
        if n > guard:
            return Reply.error(500, "server_error", "enough pages")
        hit = {
            "all": True,
            "first": page_no == "1",
            "later": page_no != "1",
            "first_walk": walk["first_page_seen"] <= 1,
            "details": False,
        }[fault.target]
        return _page_fault(server, fault, request, installed) if hit else None

    def on_detail(request: SeenRequest, _n: int) -> Reply | None:
        sane = server.calendar.detail(request.path.rsplit("/", 1)[-1])
        return _transport_fault(fault, sane if sane is not None else {"error": "not_found", "message": "no"})

    server.script(EVENTS_PATH, on_list)
    if fault.target == "details":
        server.script(f"{EVENTS_PATH}/*", on_detail)
    return installed


def _pick(page: dict[str, Any], fault: Fault) -> dict[str, Any] | None:
    events = page["events"]
    return events[fault.params["pick"] % len(events)] if events else None


def _page_fault(server: HostileServer, fault: Fault, request: SeenRequest, installed: Installed) -> Reply | None:
    page = server.calendar.page(request)
    kind, p = fault.kind, fault.params
    victim = _pick(page, fault)
    if kind in ("unknown_enum", "implausible_date", "huge_string", "huge_id") and victim is not None:
        if kind != "unknown_enum":
            installed.corrupted.add(victim["id"])
        victim["id" if kind == "huge_id" else p["key"]] = "x" * p["size"] if kind == "huge_string" else p["value"]
        return Reply.json(page)
    if kind == "extra_fields":
        (victim if victim is not None else page)[f"x_{p['key']}"] = p["value"]
        return Reply.json(page)
    if kind == "wrong_types":
        if p["key"] in PAGE_KEYS:
            page[p["key"]] = p["value"]
        elif victim is not None:
            installed.corrupted.add(victim["id"])
            victim[p["key"]] = p["value"]
        return Reply.json(page)
    if kind == "lying_pages":
        if not page["events"]:  # past the real pages: the first page's events again
            page = {**server.calendar.page(_with_page(request, "1")), "page": page["page"]}
        return Reply.json({**page, "pages": p["pages"]})
    if kind == "lying_count":
        return Reply.json({**page, "count": p["count"]})
    if kind == "inconsistent_pages":
        return Reply.json(_inconsistent(server, page, request, p["how"]))
    return _transport_fault(fault, page)


def _inconsistent(server: HostileServer, page: dict[str, Any], request: SeenRequest, how: str) -> dict[str, Any]:
    if how == "count_without_events":
        return {**page, "events": []}
    if how == "page_empty":
        return {**page, "events": []} if page["page"] > 1 or page["pages"] == 1 else page
    if how == "drop_one":
        return {**page, "events": page["events"][1:]}
    # shift: the first event was deleted between page reads (then restored): later pages move up by one
    if page["page"] == 1:
        return page
    everything = server.calendar.in_range(*_dates(request))
    shifted = everything[1:]
    limit = page["limit"]
    chosen = shifted[(page["page"] - 1) * limit : page["page"] * limit]
    return {**page, "count": len(shifted), "events": [shapes.summary(e) for e in chosen]}


def _dates(request: SeenRequest) -> tuple[date, date]:
    return date.fromisoformat(request.query["start_date"]), date.fromisoformat(request.query["end_date"])


def _with_page(request: SeenRequest, page: str) -> SeenRequest:
    return replace(request, query={**request.query, "page": page})


def _transport_fault(fault: Fault, value: dict[str, Any]) -> Reply | None:
    kind, p = fault.kind, fault.params
    body = json.dumps(value).encode()
    if kind == "malformed_json":
        return Reply(body=body[: int(len(body) * p["cut"])])
    if kind == "not_json":
        return Reply(body=p["body"], content_type="text/html")
    if kind in ("rate_limited", "huge_retry_after"):
        return Reply.error(429, "rate_limit_exceeded", "Too many requests", retry_after=p["retry_after"])
    if kind == "server_error":
        return Reply(status=p["status"], body=p["body"])
    if kind == "drop":
        return Reply.dropped(p["where"], p["after"], body)
    if kind == "slow_drip":
        return Reply(body=body, drip=(len(body) // 6 + 1, 0.02))
    if kind == "chunked":
        return Reply(body=body, chunked=True)
    if kind == "lying_length":
        return Reply(body=body, content_length=max(0, len(body) + p["delta"]))
    if kind == "deep_nesting":
        deep = b"[" * p["depth"] + b"]" * p["depth"]
        return Reply(body=deep if p["whole"] else body[:-1] + b', "deep": ' + deep + b"}")
    if kind == "oversized":
        total = 40 * MB
        stream = repeated(b" " * MB, total, head=body[:-1], tail=b"}")
        length: Any = total if p["framing"] == "content-length" else "auto"
        return Reply(body=stream, chunked=p["framing"] == "chunked", content_length=length)
    if kind in ("huge_string", "unknown_enum", "implausible_date", "huge_id", "wrong_types"):
        return None  # nothing to damage on this answer (a page without events)
    raise AssertionError(f"unknown fault kind {kind}")
