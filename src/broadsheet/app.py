"""create_app(settings): the one place where Broadsheet is wired together."""

import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from broadsheet import __version__
from broadsheet.accounts.api import router as accounts_api
from broadsheet.accounts.deps import SITE_SESSION_COOKIE
from broadsheet.accounts.pages import router as accounts_pages
from broadsheet.accounts.service import password_hashing
from broadsheet.api_docs import mount_swagger_ui_assets
from broadsheet.api_docs import router as api_docs_router
from broadsheet.articles.api import router as articles_api
from broadsheet.articles.desk import router as writers_desk
from broadsheet.articles.editor import router as story_editor
from broadsheet.articles.feeds import router as story_feeds
from broadsheet.articles.history import router as story_history
from broadsheet.articles.pages import router as articles_pages
from broadsheet.cache import ResponseCache, Totals
from broadsheet.comments.api import router as comments_api
from broadsheet.comments.pages import router as comments_pages
from broadsheet.db import connect
from broadsheet.deps import ensure_writes_declared
from broadsheet.errors import AnswerUnexpectedErrors, install_handlers
from broadsheet.health import router as health_router
from broadsheet.lists.api import router as lists_api
from broadsheet.lists.pages import router as lists_pages
from broadsheet.logs import RequestLog
from broadsheet.media.api import router as media_api
from broadsheet.media.pages import router as media_pages
from broadsheet.metrics import RequestMetrics, forget_this_worker
from broadsheet.metrics import router as metrics_router
from broadsheet.middleware import (
    ApiCors,
    BodyLimits,
    BodySizeLimit,
    CheckRequestHead,
    HeadAsGet,
    LoadShedding,
    ReadBodyFirst,
    RefuseForbiddenInUrl,
    SecurityHeaders,
)
from broadsheet.moderation.api import router as moderation_api
from broadsheet.moderation.pages import router as moderation_pages
from broadsheet.publications.api import router as publications_api
from broadsheet.publications.pages import router as publications_pages
from broadsheet.publications.queue import router as submission_queue
from broadsheet.publications.series_pages import router as series_pages
from broadsheet.ratelimit import rate_limiter
from broadsheet.reactions.api import router as reactions_api
from broadsheet.reactions.pages import router as reactions_pages
from broadsheet.search.api import router as search_api
from broadsheet.search.pages import router as search_pages
from broadsheet.settings import Settings
from broadsheet.storage import storage
from broadsheet.tags.api import router as tags_api
from broadsheet.tags.pages import router as tags_pages
from broadsheet.web import error_page
from broadsheet.worker import EmbeddedWorker, build_worker

API_DESCRIPTION = """\
Broadsheet's HTTP API. It is compatible with the RealWorld ("Conduit") API: every Conduit client
works against it. Send the token from a user response as `Authorization: Token <jwt>`.
Errors answer `{"errors": {"<field>": ["<message>"]}}`."""

# Where a picture may be sent: the API, the editor's script, the editor's own form (without
# JavaScript, its "Add picture" button sends the picture with the story's text), and the forms
# that give a publication its logo.
UPLOAD_PATHS = re.compile(
    r"/api/uploads|/uploads|/new|/@[^/]+/[^/]+/edit|/publications/new|/p/[^/]+/settings"
)


def _api_router() -> APIRouter:
    api = APIRouter(prefix="/api")
    for router in (
        accounts_api,
        # Before the stories' routes: /articles/popular is not a story's slug.
        reactions_api,
        articles_api,
        comments_api,
        lists_api,
        media_api,
        moderation_api,
        publications_api,
        search_api,
        tags_api,
    ):
        api.include_router(router)
    return api


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    _forbid_calling_server_trusting_proxies()
    database = connect(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if settings.worker.embedded:
            worker = EmbeddedWorker(build_worker(settings, database), database)
            await worker.start()
        app.state.worker = worker
        yield
        if worker is not None:
            await worker.stop()
        await close(app)
        forget_this_worker()

    app = FastAPI(
        title="Broadsheet API",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        # Redirects between /path and /path/ are made by the 404 handler, to the base URL.
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.passwords = password_hashing(settings)
    app.state.rate_limiter = rate_limiter(settings)
    app.state.storage = storage(settings)
    install_handlers(app, html=error_page)
    app.include_router(_api_router())
    app.include_router(api_docs_router)
    app.include_router(health_router)
    app.include_router(metrics_router)
    # Account pages, feeds and lists first: /@{username}/favorites, /@{username}/feed.atom and
    # /@{username}/lists must win over /@{username}/{slug}.
    for pages in (
        accounts_pages,
        story_feeds,
        lists_pages,
        articles_pages,
        story_editor,
        writers_desk,
        story_history,
        comments_pages,
        reactions_pages,
        moderation_pages,
        media_pages,
        publications_pages,
        submission_queue,
        series_pages,
        search_pages,
        tags_pages,
    ):
        app.include_router(pages)
    # Before /static, which would otherwise take these paths.
    mount_swagger_ui_assets(app)
    app.mount("/static", StaticFiles(packages=[("broadsheet", "static")]), name="static")
    ensure_writes_declared(app.routes)
    body_limits = BodyLimits(
        default=settings.max_body_bytes,
        uploads=settings.upload.max_body_bytes,
        upload_paths=UPLOAD_PATHS,
    )
    app.add_middleware(HeadAsGet)
    app.add_middleware(BodySizeLimit, limits=body_limits)
    app.add_middleware(RefuseForbiddenInUrl)
    app.add_middleware(LoadShedding, limit=settings.max_requests_in_flight)
    # Outside the in-flight limit: a slot is held by a request being worked on, not by a
    # client still sending its body.
    app.add_middleware(
        ReadBodyFirst,
        timeout=settings.request_body_timeout_seconds,
        limits=body_limits,
    )
    app.add_middleware(AnswerUnexpectedErrors, html=error_page)
    # Outside every answer above, the load-shedding 503 and the 500 included.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestMetrics, database=database)
    # Outside the layers above: a hit is answered with stored bytes (security headers included)
    # before any of them runs; the cache counts its hits in the metrics itself. Inside CORS,
    # whose headers depend on the request's Origin.
    app.state.totals = None
    if database.responses is not None:
        app.state.totals = Totals(database.responses)
        app.add_middleware(
            ResponseCache, store=database.responses, personal_cookie=SITE_SESSION_COOKIE
        )
    app.add_middleware(ApiCors, origins=settings.cors_origins)
    # Before the cache, whose key holds the host, and before anything else reads a header.
    app.add_middleware(
        CheckRequestHead,
        allowed=settings.hosts_allowed,
        max_bytes=settings.max_header_bytes,
        max_count=settings.max_headers,
    )
    # Every request, cache hits and refusals included, gets an id and an access line.
    app.add_middleware(RequestLog, access_log=settings.access_log)
    if settings.trusted_proxies:
        # Outermost, so the log, the metrics and the rate limits all see the real client.
        trusted = [str(network) for network in settings.trusted_proxies]
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)
    return app


def _forbid_calling_server_trusting_proxies() -> None:
    """Run as `uvicorn broadsheet.app:create_app --factory`, uvicorn would believe
    X-Forwarded-For and X-Forwarded-Proto from any loopback peer (its --forwarded-allow-ips
    default). Which proxies to believe is BROADSHEET_TRUSTED_PROXIES' business alone, so the
    uvicorn configuration loading this factory is told to believe none."""
    frame = sys._getframe(1)
    while frame is not None:
        config = frame.f_locals.get("self")
        if isinstance(config, uvicorn.Config):
            config.proxy_headers = False
            return
        frame = frame.f_back  # type: ignore[assignment]


async def close(app: FastAPI) -> None:
    """Release the app's connections: the database pools and the Redis clients."""
    await app.state.database.dispose()
    await app.state.rate_limiter.close()
