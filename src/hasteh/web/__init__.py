"""The local web face (Starlette + Jinja2): Persian first, no JavaScript needed.

    app = create_web(home, launch_token=token, port=port)   # hasteh up serves it

Bound to 127.0.0.1 and guarded by `web.security` (Host allow-list, single-use launch
token, session cookie, CSRF on every form, strict CSP). Pages live in `web.views`, one
module per view/template pair. Design: DESIGN.md §3; user guide: docs/user/.
"""

from __future__ import annotations

from hasteh.web.app import EmbeddedRelay, WebState
from hasteh.web.factory import create_web

__all__ = ["EmbeddedRelay", "WebState", "create_web"]
