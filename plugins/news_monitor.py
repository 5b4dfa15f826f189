"""The "News monitor" page: a FastAPI app mounted in the Airflow API server, and a nav entry to it.

The page reads the snapshot only (``pipeline.views.monitor``), so it never blocks the loader. Its
endpoints use Airflow's own authentication dependency (``get_user``): a JWT from
``POST /auth/token`` in ``Authorization: Bearer …``, or the ``_token`` cookie the UI sets at
login, so the nav entry (an iframe inside the UI) just works. No credential gives 401; a valid
user must also be allowed the custom view "News monitor" by the auth manager, else 403.
"""

from __future__ import annotations

from typing import Annotated, Any

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.core_api.security import get_user
from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, HTTPException, Query, status
from fastapi.responses import HTMLResponse

URL_PREFIX = "/news-monitor"
RESOURCE_NAME = "News monitor"


def authorized_user(user: Annotated[BaseUser, Depends(get_user)]) -> BaseUser:
    """Airflow's authenticated user (401 without a valid token), who may see the page (else 403)."""
    if not get_auth_manager().is_authorized_custom_view(method="GET", resource_name=RESOURCE_NAME, user=user):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="not allowed to see the News monitor")
    return user


AuthorizedUser = Annotated[BaseUser, Depends(authorized_user)]

app = FastAPI(title="News monitor", description="newswatch: matching stories, follow-ups and feed health, "
              "read from the DuckDB snapshot.", docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/", response_class=HTMLResponse)
def monitor_page(_user: AuthorizedUser,
                 limit: Annotated[int, Query(ge=1, le=500, description="Stories to show.")] = 50) -> HTMLResponse:
    """The page: latest matching stories, follow-ups due and overdue, feed health."""
    from pipeline.views import monitor

    return HTMLResponse(monitor.render_html(monitor.read(story_limit=limit)),
                        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@app.get("/api/monitor")
def monitor_data(_user: AuthorizedUser,
                 limit: Annotated[int, Query(ge=1, le=500, description="Stories to show.")] = 50) -> dict[str, Any]:
    """The same data as JSON."""
    from pipeline.views import monitor

    return monitor.read(story_limit=limit).to_json()


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
