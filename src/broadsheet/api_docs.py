"""The interactive API docs at /api/docs: Swagger UI served from our own origin, so the page
works offline and its Content-Security-Policy names no other host."""

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/api/docs"
SWAGGER_UI_ASSETS = "/static/swagger-ui"

# FastAPI's get_swagger_ui_html starts Swagger UI with an inline script, which a strict CSP
# forbids; this page loads the same start-up code from /static/api-docs.js instead.
_PAGE = f"""\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Broadsheet API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{SWAGGER_UI_ASSETS}/swagger-ui.css">
<link rel="stylesheet" href="/static/api-docs.css">
</head>
<body>
<main id="swagger-ui" data-openapi-url="/api/openapi.json"></main>
<script src="{SWAGGER_UI_ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""

router = APIRouter()


@router.get(DOCS_PATH, include_in_schema=False)
async def api_docs() -> HTMLResponse:
    """Swagger UI for the API."""
    return HTMLResponse(_PAGE)


def mount_swagger_ui_assets(app: FastAPI) -> None:
    """Serve the Swagger UI files that the fastapi-offline package ships."""
    assets = StaticFiles(packages=[("fastapi_offline", "static")])
    app.mount(SWAGGER_UI_ASSETS, assets, name="swagger-ui")
