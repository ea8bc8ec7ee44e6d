"""Errors of the bulletin press and its verifier.

    HastehError
     └── PublishError            (hasteh.publish)
          ├── BadSource          (the writer: Markdown or an issue file the press refuses)
          ├── BadImage           (the writer: an attachment that is not a usable image)
          ├── BadKey             (the person: a bulletin key file that cannot be opened)
          └── PressFailed        (the system: a library or tool the press needs failed)

Each error carries a `reason` (a stable code the tests pin), an English `template` (a
msgid the face translates) and its `params`; the message never repeats the input text,
so no article line or key ends up in a log.
"""

from __future__ import annotations

from hasteh.errors import HastehError


class PublishError(HastehError):
    """Base class of the press's deliberate errors."""

    hint = "Nothing was written. Fix the input and try again."

    def __init__(self, reason: str, template: str, **params: object) -> None:
        self.reason = reason
        self.template = template
        self.params = params
        super().__init__(template.format(**params))
        self.next_step = self.hint


class BadSource(PublishError):
    """The Markdown of an article, or the issue file around it, is refused."""


class BadImage(PublishError):
    """An image attachment is missing, too large, or not an image at all."""


class BadKey(PublishError):
    """A bulletin key file cannot be read or its passphrase is wrong."""

    hint = "Check the key file and its passphrase."


class PressFailed(PublishError):
    """A tool the press runs (pdftoppm) is missing or failed."""

    hint = "Run scripts/bootstrap.sh to install what the press needs."
