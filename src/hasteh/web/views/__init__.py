"""The pages, one module per view/template pair.

launch    GET /launch?token=…  (the single-use launch token → a session), GET /
setup     GET/POST /setup       first run: create the profile (optional duress)
unlock    GET/POST /unlock, POST /lock
home      GET /home, POST /cells  my cells; create a cell
cell      GET /cell/{ref}       a cell's conversation; GET …/members, …/safety, …/settings
          POST /cell/{ref}/say | /propose | /admission | /settings
concerns  POST /cell/{ref}/alarm (raise an alarm) | /review (review a seizure report)
decision  GET/POST /cell/{ref}/decisions, GET /cell/{ref}/decisions/{n}, POST …/vote, …/close
member    GET /cell/{ref}/members/{leaf}, POST …/remove, POST …/seized (emergency)
join      GET/POST /join, POST /join/card   my invitation card; pick up the Welcome
courier   POST /sync (fetch now); GET /courier, POST /courier/export, GET /courier/bundle,
          POST /courier/import
settings  GET/POST /settings, POST /language
panic     GET/POST /panic       confirmation, then the profile is destroyed
hide      GET /hide             lock and show a neutral page
welcome   GET /welcome/{step}   the first run's three screens
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from hasteh.web.views import (
    cell,
    concerns,
    courier,
    decision,
    hide,
    home,
    join,
    launch,
    member,
    panic,
    settings,
    setup,
    unlock,
    welcome,
)

__all__ = ["all_routes"]


def all_routes() -> list[BaseRoute]:
    return [
        *launch.routes,
        *setup.routes,
        *unlock.routes,
        *home.routes,
        *cell.routes,
        *concerns.routes,
        *decision.routes,
        *member.routes,
        *join.routes,
        *courier.routes,
        *settings.routes,
        *panic.routes,
        *hide.routes,
        *welcome.routes,
    ]
