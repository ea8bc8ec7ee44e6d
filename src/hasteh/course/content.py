"""The course as data: lessons, checklists and the compromise guide, Persian and English
side by side (`Bilingual`). The shapes here are what the TOML files decode into; the
rules beyond the shapes (lengths, counts, words) live in `hasteh.course.loader`."""

from __future__ import annotations

import msgspec

#: The languages every piece of course text is written in, Persian first.
COURSE_LANGUAGES = ("fa", "en")


class Bilingual(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One text in Persian and in English; `pick` gives the one a face shows."""

    fa: str
    en: str

    def pick(self, language: str) -> str:
        """The text in `language`; Persian for any language the course is not written in."""
        return self.en if language == "en" else self.fa


class Question(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A multiple-choice question; `answer` is the right choice, counted from 1 as a
    person counts them (the quiz form sends the same numbers)."""

    question: Bilingual
    choices: tuple[Bilingual, ...]
    answer: int
    explanation: Bilingual


class Lesson(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One lesson: a short text, a scenario set in Iran, a quiz and a checklist."""

    number: int
    slug: str
    title: Bilingual
    text: Bilingual
    scenario: Bilingual
    checklist: tuple[Bilingual, ...]
    quiz: tuple[Question, ...]


class Checklist(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A checklist ticked on the device before a meeting or an action."""

    slug: str
    title: Bilingual
    items: tuple[Bilingual, ...]


class ChecklistsFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    checklist: tuple[Checklist, ...]


class GuideStep(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One step of the compromise guide: what hasteh does, what the person does, and
    where that is done (a page of the web face, a command of the CLI), if anywhere.
    `link` is a path (``/panic``) or ``cell#<section>``: that section of the page of each
    cell the person is in (the web face lists them)."""

    title: Bilingual
    hasteh: Bilingual
    you: Bilingual
    link: str = ""
    command: str = ""

    @property
    def cell_section(self) -> str:
        """The section of each cell's page this step links to (``cell#members``), or ""."""
        return self.link.removeprefix("cell#") if self.link.startswith("cell#") else ""


class Guide(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The compromise guide: from "my phone was taken" to the review with the cell."""

    title: Bilingual
    step: tuple[GuideStep, ...]


class Course(msgspec.Struct, frozen=True):
    """Everything the course shows: lessons in order, the checklists, the guide."""

    lessons: tuple[Lesson, ...]
    checklists: tuple[Checklist, ...]
    guide: Guide

    def lesson(self, number: int) -> Lesson | None:
        """Lesson `number`, or None if there is none."""
        return next((x for x in self.lessons if x.number == number), None)

    def checklist(self, slug: str) -> Checklist | None:
        """The checklist (a lesson's is not one of these) named `slug`, or None."""
        return next((c for c in self.checklists if c.slug == slug), None)
