"""The first run's three short screens, shown once the profile is made.

    GET /welcome/{step}    step 1: what hasteh protects and what it cannot,
                           2: the habits that matter, 3: what to do next

They teach before the first cell, in plain words; each can be skipped (to "My cells").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.web.app import render
from hasteh.web.views.common import redirect, unlocked_only

#: How many screens the first run has.
STEPS = 3


@dataclass(frozen=True, slots=True)
class WelcomePage:
    """Context of `welcome.html`."""

    step: int = field(metadata={"help": "which screen, 1 to STEPS"})
    steps: int = field(default=STEPS, metadata={"help": "how many screens there are"})

    @property
    def next_href(self) -> str:
        return f"/welcome/{self.step + 1}" if self.step < self.steps else "/home"


@unlocked_only
async def welcome(request: Request) -> Response:
    step = request.path_params["step"]
    if not 1 <= step <= STEPS:
        return redirect("/welcome/1")
    return render(request, "welcome.html", WelcomePage(step))


routes = [Route("/welcome/{step:int}", welcome, methods=["GET"])]
