"""The root of every error hasteh raises on purpose, and the one contract they all keep.

    HastehError
     ├── hasteh.org.errors.OrgError              the cell's rules (`OrgCode`)
     ├── hasteh.envelope.EnvelopeError           bytes that are not an envelope (`EnvelopeCode`)
     ├── hasteh.envelope.WriteAuthError          write headers off the protocol (`WriteAuthCode`)
     ├── hasteh.vault.errors.VaultError          the encrypted profile on disk (`VaultCode`)
     ├── hasteh.transport.errors.TransportError  relays and courier bundles (`TransportCode`)
     ├── hasteh.relay.errors.RelayError          the relay server (`RelayCode`)
     ├── hasteh.course.errors.CourseError        the course: lesson files, quiz forms (`CourseCode`)
     ├── hasteh.publish.errors.PublishError      the bulletin press (`PublishCode`)
     ├── hasteh.tor.errors.TorError              hasteh's own Tor, bridges (`TorCode`)
     ├── hasteh.jalali.TimeInputError            a typed moment or time zone (`TimeCode`)
     └── hasteh.app.errors.AppError              a profile's workspace (`AppCode`)
          └── Refused                            an org refusal met by the app (`OrgCode`)

    hasteh.mls.errors.MLSError                   its own root, not a HastehError

`hasteh.mls` is a sans-I/O protocol library, our hazmat layer: it imports nothing else of
hasteh, so `MLSError` is its own root and carries its own `reason` slug (`MLSReason`).
`hasteh.app.errors.mls_errors` wraps it at the app boundary into a `GroupError` (an
`AppCode`, with the MLS reason as a parameter); no face ever sees an `MLSError`.

The contract. Every `HastehError` carries:

* `domain`: which table its code belongs to (``"org"``, ``"app"``, ...);
* `code`: a stable slug, one of its domain's `Literal` codes (tests, docs and the faces
  key on it; it never changes meaning);
* `template`: the English text with ``{named}`` placeholders, also the gettext msgid;
* `params`: the values of the placeholders (`Param`: short strings and whole numbers).

``str(err)`` is the English text. The faces translate by code
(`hasteh.i18n.error_text`, Persian by default) and pick the next step by ``(domain,
code)``: one table says which kind of step follows each code (`hasteh.next_step_kinds`),
each face words the kinds (`hasteh.cli.next_steps`, `hasteh.web.next_steps`): no face
reads an error's text. Parameters never hold a secret, a key, plaintext, a mailbox id, an
address or a real name: an error can end in a log. (org's errors may carry a cover name
or a leaf number, which are shown only inside the cell they belong to.)
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal, TypeVar

import msgspec

T = TypeVar("T")

#: The tables of codes: one per package root.
Domain = Literal[
    "org",
    "app",
    "envelope",
    "write-auth",
    "vault",
    "transport",
    "relay",
    "time",
    "tor",
    "course",
    "publish",
]
#: A template parameter: a short slug or text, or a whole number (shown in the reader's digits).
Param = str | int


class HastehError(Exception):
    """Base class of every deliberate hasteh error; the CLI turns it into exit code 1.

    A subclass root sets `domain` and `templates` (code -> English template); raise
    sites give a code and the template's parameters, nothing else.
    """

    domain: ClassVar[Domain]
    #: code -> English template (keys are the root's `Literal` codes).
    templates: ClassVar[Mapping[Any, str]] = {}

    code: str
    params: Mapping[str, Param]

    def __init__(self, code: str, /, **params: Param) -> None:
        if code not in self.templates:
            raise KeyError(f"unknown {self.domain} error code {code!r}")
        self.code = code
        self.params = dict(params)
        super().__init__(code)

    @property
    def template(self) -> str:
        """The English template of `code` (the gettext msgid the faces translate)."""
        return self.templates[self.code]

    @property
    def message(self) -> str:
        """The English text (a missing parameter shows as ``?``, never fails)."""
        return fill(self.template, self.params, str)

    def render(
        self,
        gettext: Callable[[str], str],
        number: Callable[[int], str],
        clean: Callable[[str], str] = str,
    ) -> str:
        """The text in the language of `gettext`: numbers shown by `number`, text
        parameters passed through `clean` (a face strips what must not reach the screen).
        A translation that names a parameter the template lacks falls back to English."""
        return self.render_text(self.template, gettext, number, clean)

    def render_text(
        self,
        text: str,
        gettext: Callable[[str], str],
        number: Callable[[int], str],
        clean: Callable[[str], str] = str,
    ) -> str:
        """`text` (this error's template, or a face's next step for it) translated and
        filled with this error's parameters; a translation naming a parameter the English
        lacks falls back to the English."""
        translated = gettext(text)
        if placeholders(translated) - placeholders(text):
            translated = text
        return fill(translated, self.params, number, clean)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r})"


def placeholders(template: str) -> set[str]:
    """The names of the ``{placeholders}`` of a template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def fill(
    template: str,
    params: Mapping[str, Param],
    number: Callable[[int], str],
    clean: Callable[[str], str] = str,
) -> str:
    """`template` with `params` in place: numbers through `number`, text through `clean`
    (and never formatted further, so a parameter cannot inject a placeholder), a missing
    one as ``?``."""
    values = _Missing(
        {
            k: number(v) if isinstance(v, int) and not isinstance(v, bool) else clean(str(v))
            for k, v in params.items()
        }
    )
    return template.format_map(values)


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


#: Everything msgspec may raise on hostile bytes: `DecodeError` (and its `ValidationError`),
#: but also `UnicodeDecodeError` for invalid UTF-8 in a `str` field (a `ValueError`, not a
#: `msgspec.MsgspecError`), `TypeError` for input that is not bytes, and `RecursionError`
#: for deep nesting into an untyped field. Catch this tuple, never `MsgspecError` alone.
DECODE_FAILURES: tuple[type[Exception], ...] = (
    msgspec.DecodeError,
    ValueError,
    TypeError,
    RecursionError,
)


def msgpack_decode(data: bytes, type_: type[T], error: Callable[[str], Exception]) -> T:
    """`data` decoded as `type_`, or `error(detail)` raised for any decode failure (see
    `DECODE_FAILURES`). Every msgspec decode of untrusted msgpack goes through this."""
    try:
        return msgspec.msgpack.decode(data, type=type_)
    except DECODE_FAILURES as exc:
        raise error(str(exc)[:300]) from None


def json_decode(data: bytes, type_: type[T], error: Callable[[str], Exception]) -> T:
    """The JSON twin of `msgpack_decode`."""
    try:
        return msgspec.json.decode(data, type=type_)
    except DECODE_FAILURES as exc:
        raise error(str(exc)[:300]) from None
