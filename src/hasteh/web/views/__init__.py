"""The pages, one module per view/template pair.

launch    GET /launch?token=…  (the single-use launch token → a session), GET /
setup     GET/POST /setup       first run: create the profile (optional duress)
unlock    GET/POST /unlock, POST /lock
home      GET /home, POST /cells  my cells; create a cell
cell      GET /cell/{ref}       a cell: alarms, talk, decisions, members, newcomers, safety
          POST /cell/{ref}/say | /propose | /admission | /settings
concerns  POST /cell/{ref}/alarm (raise an alarm) | /review (review a seizure report)
decision  GET/POST /cell/{ref}/decisions, GET /cell/{ref}/decisions/{n}, POST …/vote, …/close
fund      GET /cell/{ref}/fund, POST /cell/{ref}/fund/{action}, GET …/fund/beancount
member    GET /cell/{ref}/members/{leaf}, POST …/remove, POST …/seized (emergency)
join      GET/POST /join, POST /join/card   my invitation card; pick up the Welcome
courier   POST /sync (fetch now); GET /courier, POST /courier/export, GET /courier/bundle,
          POST /courier/import
settings  GET/POST /settings, POST /language
reach     GET/POST /reach (the transport ladder); GET/POST /cell/{ref}/relays,
          POST /cell/{ref}/local-relay
panic     GET/POST /panic       confirmation, then the profile is destroyed
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from hasteh.web.views import (
    cell,
    concerns,
    courier,
    decision,
    fund,
    home,
    join,
    launch,
    member,
    panic,
    reach,
    settings,
    setup,
    unlock,
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
        *fund.routes,
        *member.routes,
        *join.routes,
        *courier.routes,
        *settings.routes,
        *reach.routes,
        *panic.routes,
    ]
