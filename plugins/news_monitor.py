"""The "News monitor" page: a FastAPI app mounted in the Airflow API server, and a nav entry to it.

The page reads the snapshot only (``pipeline.views.monitor``), so it never blocks the loader. Its
endpoints use Airflow's own authentication dependency (``get_user``): a JWT from
``POST /auth/token`` in ``Authorization: Bearer …``, or the ``_token`` cookie the UI sets at
login, so the nav entry (an iframe inside the UI) just works. No credential gives 401; a valid
user must also be allowed the custom view "News monitor" by the auth manager, else 403.

``POST /feedback`` is the page's "relevant / not relevant" buttons. It needs the same login, the
auth manager's leave to POST to the view, a CSRF token the page made for that user (HMAC keyed from
``[api_auth] jwt_secret``, see ``pipeline.views.monitor.csrf_token``), and an Origin (or Referer)
naming this server; a request that authenticates with the ``_token`` cookie must send one of them.
It queues the mark as ``newswatch feedback`` does (``pipeline.warehouse.feedback.submit``): the
page never writes the warehouse, the next load does.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated, Any
from urllib.parse import parse_qs

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.core_api.security import get_user
from airflow.configuration import conf
from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

URL_PREFIX = "/news-monitor"
RESOURCE_NAME = "News monitor"
FEEDBACK_ACTION = "feedback"  # relative to the page (/news-monitor/), so a proxy's path prefix keeps working
MAX_FORM_BYTES = 8192
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
# Only when no [api_auth] jwt_secret is configured (then each API server process signs its own tokens anyway).
_PROCESS_KEY = secrets.token_bytes(32)


def authorized_user(user: Annotated[BaseUser, Depends(get_user)]) -> BaseUser:
    """Airflow's authenticated user (401 without a valid token), who may see the page (else 403)."""
    if not get_auth_manager().is_authorized_custom_view(method="GET", resource_name=RESOURCE_NAME, user=user):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="not allowed to see the News monitor")
    return user


AuthorizedUser = Annotated[BaseUser, Depends(authorized_user)]


def may_mark(user: BaseUser) -> bool:
    """Whether the auth manager lets this user POST to the view (mark stories)."""
    return bool(get_auth_manager().is_authorized_custom_view(method="POST", resource_name=RESOURCE_NAME, user=user))


def marking_user(user: Annotated[BaseUser, Depends(get_user)]) -> BaseUser:
    """Airflow's authenticated user (401 without a valid token), who may mark stories (else 403)."""
    if not may_mark(user):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="not allowed to mark stories")
    return user


MarkingUser = Annotated[BaseUser, Depends(marking_user)]


def csrf_key() -> bytes:
    """The key of the feedback form's CSRF tokens: derived from the JWT secret every API server process shares."""
    secret = conf.get("api_auth", "jwt_secret", fallback="") or ""
    return hashlib.sha256(b"news-monitor-csrf\0" + secret.encode()).digest() if secret else _PROCESS_KEY


app = FastAPI(title="News monitor", description="newswatch: matching stories, follow-ups and feed health, "
              "read from the DuckDB snapshot.", docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/", response_class=HTMLResponse)
def monitor_page(user: AuthorizedUser,
                 limit: Annotated[int, Query(ge=1, le=500, description="Stories to show.")] = 50,
                 offset: Annotated[int, Query(ge=0, description="Newest stories to skip (paging).")] = 0,
                 ) -> HTMLResponse:
    """The page: health first (one status line), then follow-ups due and overdue, stories (paged), feed health."""
    from pipeline.views import monitor

    # Users the auth manager lets POST to the view get the mark buttons, with a token made for them.
    form = monitor.FeedbackForm(FEEDBACK_ACTION, monitor.csrf_token(csrf_key(), user.get_id())) \
        if may_mark(user) else None
    return HTMLResponse(monitor.render_html(monitor.read(story_limit=limit, story_offset=offset), form),
                        headers=NO_STORE)


def _refuse(code: int, message: str) -> HTMLResponse:
    from pipeline.views import monitor

    return HTMLResponse(monitor.render_notice("Not queued", message), status_code=code, headers=NO_STORE)


@app.post("/feedback", response_class=HTMLResponse)
async def feedback(request: Request, user: MarkingUser) -> HTMLResponse:
    """Queue an analyst's "relevant / not relevant" mark of a story for a topic (the page's buttons)."""
    from pipeline.errors import ConfigError, StorageError
    from pipeline.views import monitor
    from pipeline.warehouse import feedback as marks

    origin = monitor.same_origin(request.headers.get("origin"), request.headers.get("referer"),
                                 request.headers.get("host"))
    # A browser sends the `_token` cookie with any form, from any site; it also says where the form was.
    if origin is False or (origin is None and not request.headers.get("authorization")):
        return _refuse(status.HTTP_403_FORBIDDEN, "cross-site request refused: it did not come from this page")
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return _refuse(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "expected a form (application/x-www-form-urlencoded)")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return _refuse(status.HTTP_413_CONTENT_TOO_LARGE, "form too large")
    try:
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=16)
    except ValueError:
        return _refuse(status.HTTP_400_BAD_REQUEST, "too many form fields")

    def field(name: str) -> str:
        return (fields.get(name) or [""])[0]

    if not monitor.csrf_ok(csrf_key(), user.get_id(), field("csrf_token")):
        return _refuse(status.HTTP_403_FORBIDDEN, "missing or invalid CSRF token: reload the page and try again")
    if field("verdict") not in ("relevant", "not_relevant"):
        return _refuse(status.HTTP_400_BAD_REQUEST, "verdict must be relevant or not_relevant")
    try:
        mark, _ = await run_in_threadpool(marks.submit, field("article_id"), field("topic"),
                                          field("verdict") == "relevant", marked_by=user.get_name(),
                                          source="monitor", note=field("note") or None)
    except ConfigError as exc:
        return _refuse(status.HTTP_400_BAD_REQUEST, str(exc))
    except StorageError as exc:
        return _refuse(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc))
    verdict = "relevant" if mark.is_relevant else "not relevant"
    return HTMLResponse(monitor.render_notice(
        "Mark queued", f"Article {mark.article_id} marked {verdict} to {mark.topic} by {mark.marked_by}. The next "
        "load writes it into relevance_feedback; the next `newswatch train classify` learns from it."),
        status_code=status.HTTP_202_ACCEPTED, headers=NO_STORE)


@app.get("/api/monitor")
def monitor_data(_user: AuthorizedUser,
                 limit: Annotated[int, Query(ge=1, le=500, description="Stories to show.")] = 50,
                 offset: Annotated[int, Query(ge=0, description="Newest stories to skip (paging).")] = 0,
                 ) -> dict[str, Any]:
    """The same data as JSON (with ``health``, the status line)."""
    from pipeline.views import monitor

    return monitor.read(story_limit=limit, story_offset=offset).to_json()


class NewsMonitorPlugin(AirflowPlugin):
    """Registers the page with the API server and the UI's navigation."""

    name = "news_monitor"
    fastapi_apps = [{"app": app, "url_prefix": URL_PREFIX, "name": RESOURCE_NAME}]
    external_views = [{
        "name": RESOURCE_NAME,
        "href": f"{URL_PREFIX}/",
        "destination": "nav",
        "url_route": "news-monitor",
    }]
