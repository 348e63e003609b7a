"""The web app: the dashboard, uploads and the survey campaigns, over the same core as the CLI.

`create_app(workspace)` builds the ASGI app (FastAPI); `trustmeter serve` hands it to uvicorn.
The app needs the `web` extra. Modules that the CLI uses without a server (`accounts`,
`settings`) import nothing from it, so this package imports FastAPI only when asked for the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trustmeter.web.app import create_app

__all__ = ["create_app"]

MISSING_EXTRA = "the web app needs its extra: pip install 'trustmeter[web]'"


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from trustmeter.web.app import create_app

        return create_app
    raise AttributeError(name)
