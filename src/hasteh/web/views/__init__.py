"""The pages, one module per view/template pair.

launch    GET /launch?token=…  (the single-use launch token → a session), GET /
setup     GET/POST /setup       first run: create the profile (optional duress)
unlock    GET/POST /unlock, POST /lock
home      GET /home, POST /cells  my cells; create a cell
cell      GET /cell/{ref}       a cell's conversation; GET …/members, …/safety, …/settings
          POST /cell/{ref}/say | /propose | /admission | /settings
news      GET /cell/{ref}/news      the cell page's self-refreshing frame: what arrived
concerns  POST /cell/{ref}/alarm (raise an alarm) | /review (review a seizure report)
decision  GET/POST /cell/{ref}/decisions, GET /cell/{ref}/decisions/{n}, POST …/vote, …/close
fund      GET /cell/{ref}/fund, POST /cell/{ref}/fund/{action}, GET …/fund/beancount
actions   GET/POST /cell/{ref}/actions, GET /cell/{ref}/actions/{a}, POST …/{a}/{what}
          the cell's work: actions, demands, tasks, turnout (issue 15)
study     GET/POST /cell/{ref}/study, GET /cell/{ref}/study/{c}, POST …/{c}/{what},
          GET …/{c}/r/{r}, POST …/{c}/r/{r}/{what}   study circles (issue 15)
delegates GET /cell/{ref}/delegates, POST …/delegates/elect | key | key-code | key-import |
          mandate | recall   who speaks for the cell in its alliances, its key and its
          hand-over, mandates, the recall, the report-backs (issue 17)
alliances GET/POST /alliances, GET /alliance/{ref}, POST /alliance/{ref}/vote|sign|report,
          POST /alliance/{ref}/propose|approve|register-key|register-alternate|carry-recall|
          council|motion   a delegate's alliances: cells by pseudonym, motions, tallies (issue 17)
bulletin  GET /cell/{ref}/bulletin, …/articles/{a}, …/issues/{i} (+ issue.pdf, booklet.pdf,
          page-{p}.png), POST /cell/{ref}/bulletin/{what}   the newsroom (issue 16)
files     GET /cell/{ref}/files, POST …/files/upload | fetch, GET …/files/{f}/download |
          image, POST …/files/{f}/remove, POST /cell/{ref}/library, …/library/{i}/{what}
member    GET /cell/{ref}/members/{leaf}, POST …/remove, POST …/seized (emergency)
join      GET/POST /join, POST /join/card   my invitation card; pick up the Welcome
spoken    GET/POST /join/code, POST /join/code/cancel, POST /cell/{ref}/propose-code,
          POST /alliance/{ref}/propose-code   invitations by a spoken code (newcomer,
          member; a cell's delegate introduced to an alliance)
courier   POST /sync (fetch now); GET /courier, POST /courier/export, GET /courier/bundle,
          POST /courier/import
settings  GET/POST /settings, POST /language
reach     GET/POST /reach (the transport ladder); GET/POST /cell/{ref}/relays,
          POST /cell/{ref}/local-relay
zone      GET/POST /settings/time   the time zone deadlines are read and shown in
panic     GET/POST /panic       confirmation, then the profile is destroyed
hide      GET /hide             lock and show a neutral page
welcome   GET /welcome/{step}   the first run's three screens
drop      GET /cell/{ref}/drop, POST /cell/{ref}/drop/{slip|reply|published}
          the drop box for outside workers (issue 16; their page is `web.dropbox`)
course    GET /course, /course/{n}, GET/POST /course/{n}/quiz, /course/checklists/{slug},
          GET /course/guide   the security course (progress on this device only)
contacts  GET /contacts, POST /contacts/{add,share,forget,tell}   contacts with leading
          workers, on this device only
federation GET /alliance/{ref}, POST /alliance/{ref}/{what}   a delegate's alliance page:
          the programme, amendments, joint actions, warnings, report-backs (issue 17)
vouching POST /alliances/vouch/{ref}, GET/POST /alliances/answer   a delegate vouches for
          another cell with a one-time code; that cell's delegate answers it (issue 17)
handover  GET/POST /contacts/give, POST /contacts/give/cancel, POST /contacts/take
          a contact handed to another member in person, by a spoken code
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from hasteh.web.views import (
    actions,
    alliances,
    bulletin,
    cell,
    concerns,
    contacts,
    courier,
    course,
    decision,
    delegates,
    drop,
    federation,
    files,
    fund,
    handover,
    hide,
    home,
    join,
    launch,
    member,
    news,
    panic,
    reach,
    settings,
    setup,
    spoken,
    study,
    unlock,
    vouching,
    welcome,
    zone,
)

__all__ = ["all_routes"]


def all_routes() -> list[BaseRoute]:
    return [
        *launch.routes,
        *setup.routes,
        *unlock.routes,
        *home.routes,
        *cell.routes,
        *news.routes,
        *concerns.routes,
        *decision.routes,
        *fund.routes,
        *actions.routes,
        *study.routes,
        *delegates.routes,
        *spoken.routes,  # before alliances': its POST /alliance/{ref}/{act} catches all
        *alliances.routes,
        *bulletin.routes,
        *files.routes,
        *member.routes,
        *join.routes,
        *courier.routes,
        *settings.routes,
        *reach.routes,
        *zone.routes,
        *course.routes,
        *panic.routes,
        *hide.routes,
        *welcome.routes,
        *drop.routes,
        *contacts.routes,
        *federation.routes,
        *handover.routes,
        *vouching.routes,
    ]
