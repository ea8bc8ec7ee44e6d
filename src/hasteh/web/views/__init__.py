"""The pages, one module per view/template pair.

launch    GET /launch?token=…  (the single-use launch token → a session), GET /
setup     GET/POST /setup       first run: create the profile (optional duress)
unlock    GET/POST /unlock, POST /lock
home      GET /home             my cells
settings  GET/POST /settings, POST /language
panic     GET/POST /panic       confirmation, then the profile is destroyed
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from hasteh.web.views import home, launch, panic, settings, setup, unlock

__all__ = ["all_routes"]


def all_routes() -> list[BaseRoute]:
    return [
        *launch.routes,
        *setup.routes,
        *unlock.routes,
        *home.routes,
        *settings.routes,
        *panic.routes,
    ]
