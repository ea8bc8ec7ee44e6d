"""Reading the course's TOML files, strictly (docs/course.md lists the rules).

A lesson file is decoded into `Lesson` (unknown or missing fields refused by msgspec),
then held to the rules a reader needs: both languages present, Persian actually in
Persian, short texts, 3–5 questions whose right answer exists, a checklist, and the
workers' words rather than the office words (`FORBIDDEN_WORDS`). Any break is a
`LessonFileInvalid` naming the file and the field, at load: a broken lesson never
reaches a page. The loader takes text, not paths: reading the package's files is the
app's job (`hasteh.app.course`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final, TypeVar

import msgspec

from hasteh.course.content import (
    Bilingual,
    Checklist,
    ChecklistsFile,
    Course,
    Guide,
    Lesson,
)
from hasteh.course.errors import LessonFileInvalid
from hasteh.errors import DECODE_FAILURES

T = TypeVar("T")

MAX_FILE_CHARS: Final = 64 * 1024
MAX_TEXT_WORDS: Final = 400
MIN_QUESTIONS: Final = 3
MAX_QUESTIONS: Final = 5
MIN_CHOICES: Final = 2
MAX_CHOICES: Final = 5
MAX_CHECKLIST_ITEMS: Final = 10
MAX_TITLE_CHARS: Final = 90
#: Office words a worker may not use, and the plain word the course uses instead.
FORBIDDEN_WORDS: Final = {"پرونده": "فایل", "رونوشت": "کپی", "نویسه": "حرف"}
_PERSIAN_LETTER = re.compile(r"[\u0600-\u06FF]")
_SLUG = re.compile(r"[a-z][a-z-]{0,29}")


def _invalid(source: str, problem: str, **params: object) -> LessonFileInvalid:
    """A broken data file, said in English for whoever writes lessons (`problem`'s own
    placeholders filled here)."""
    return LessonFileInvalid("lesson-file", source=source, problem=problem.format(**params))


def _decode(text: str, type_: type[T], source: str) -> T:
    if len(text) > MAX_FILE_CHARS:
        raise _invalid(source, "it is larger than {limit} characters.", limit=MAX_FILE_CHARS)
    try:
        return msgspec.toml.decode(text, type=type_)
    except DECODE_FAILURES as exc:
        detail = str(exc)[:200]
        raise _invalid(source, "{detail}", detail=detail) from None


def _texts(value: object, path: str) -> Iterator[tuple[str, Bilingual]]:
    """Every `Bilingual` inside `value`, with its field path (``quiz[2].choices[1]``)."""
    if isinstance(value, Bilingual):
        yield path, value
    elif isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            yield from _texts(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, tuple):
        for index, item in enumerate(value, start=1):
            yield from _texts(item, f"{path}[{index}]")


def _check_texts(value: object, source: str) -> None:
    """Both languages written, the Persian in Persian, and no office word in it."""
    for path, text in _texts(value, ""):
        if not text.fa.strip() or not text.en.strip():
            raise _invalid(source, "{field} needs both Persian and English.", field=path)
        if not _PERSIAN_LETTER.search(text.fa):
            raise _invalid(source, "{field}: the Persian is not in Persian.", field=path)
        if _PERSIAN_LETTER.search(text.en):
            raise _invalid(source, "{field}: the English has Persian in it.", field=path)
        for word, plain in FORBIDDEN_WORDS.items():
            if word in text.fa:
                raise _invalid(
                    source,
                    "{field} says «{word}»; write «{plain}».",
                    field=path,
                    word=word,
                    plain=plain,
                )


def _check_title(title: Bilingual, source: str) -> None:
    if max(len(title.fa), len(title.en)) > MAX_TITLE_CHARS:
        raise _invalid(
            source, "the title is longer than {limit} characters.", limit=MAX_TITLE_CHARS
        )


def _check_items(items: tuple[Bilingual, ...], source: str, field: str) -> None:
    if not 1 <= len(items) <= MAX_CHECKLIST_ITEMS:
        raise _invalid(
            source, "{field} needs 1 to {limit} items.", field=field, limit=MAX_CHECKLIST_ITEMS
        )


def word_count(text: str) -> int:
    """Words as a reader counts them (a half-space joins a word's parts)."""
    return len(text.split())


def parse_lesson(text: str, source: str) -> Lesson:
    """A lesson file's text as a `Lesson`; `LessonFileInvalid` for any broken rule.
    `source` names the file in the message (``03-messengers.toml``)."""
    lesson = _decode(text, Lesson, source)
    if not 1 <= lesson.number <= 99:
        raise _invalid(source, "number must be 1 to 99.")
    if not _SLUG.fullmatch(lesson.slug):
        raise _invalid(source, "slug must be lower-case Latin letters and dashes.")
    _check_texts(lesson, source)
    _check_title(lesson.title, source)
    for language in ("fa", "en"):
        words = word_count(lesson.text.pick(language))
        if words > MAX_TEXT_WORDS:
            raise _invalid(
                source,
                "the {language} text has {words} words; at most {limit}.",
                language=language,
                words=words,
                limit=MAX_TEXT_WORDS,
            )
    if not MIN_QUESTIONS <= len(lesson.quiz) <= MAX_QUESTIONS:
        raise _invalid(
            source,
            "the quiz needs {low} to {high} questions.",
            low=MIN_QUESTIONS,
            high=MAX_QUESTIONS,
        )
    for index, question in enumerate(lesson.quiz, start=1):
        if not MIN_CHOICES <= len(question.choices) <= MAX_CHOICES:
            raise _invalid(
                source,
                "question {index} needs {low} to {high} choices.",
                index=index,
                low=MIN_CHOICES,
                high=MAX_CHOICES,
            )
        if not 1 <= question.answer <= len(question.choices):
            raise _invalid(
                source, "question {index}'s answer is not one of its choices.", index=index
            )
    _check_items(lesson.checklist, source, "checklist")
    return lesson


def parse_checklists(text: str, source: str) -> tuple[Checklist, ...]:
    """The checklists file: each with a unique slug, a title and 1–10 items."""
    checklists = _decode(text, ChecklistsFile, source).checklist
    slugs = [c.slug for c in checklists]
    if len(set(slugs)) != len(slugs) or not all(_SLUG.fullmatch(s) for s in slugs):
        raise _invalid(source, "checklist slugs must be unique lower-case words.")
    for checklist in checklists:
        _check_texts(checklist, source)
        _check_title(checklist.title, source)
        _check_items(checklist.items, source, checklist.slug)
    return checklists


def parse_guide(text: str, source: str) -> Guide:
    """The compromise guide: steps whose links are pages of this app and whose commands
    are hasteh's own."""
    guide = _decode(text, Guide, source)
    if not guide.step:
        raise _invalid(source, "the guide has no step.")
    _check_texts(guide, source)
    for index, step in enumerate(guide.step, start=1):
        if step.link and not re.fullmatch(r"/[a-z0-9/_-]*|cell#[a-z-]+", step.link):
            raise _invalid(source, "step {index}'s link is not a page of hasteh.", index=index)
        if step.command and not step.command.startswith("hasteh "):
            raise _invalid(source, "step {index}'s command is not a hasteh command.", index=index)
    return guide


def assemble(
    lessons: list[tuple[str, str]], checklists: tuple[str, str], guide: tuple[str, str]
) -> Course:
    """The whole course from (source, text) pairs: lessons numbered 1, 2, 3… in the
    order of their file names, each file named ``NN-slug.toml`` after its own fields."""
    parsed: list[Lesson] = []
    for position, (source, text) in enumerate(sorted(lessons), start=1):
        lesson = parse_lesson(text, source)
        expected = f"{lesson.number:02d}-{lesson.slug}.toml"
        if source.rsplit("/", 1)[-1] != expected or lesson.number != position:
            raise _invalid(
                source,
                "lesson {position} must be named {expected}.",
                position=position,
                expected=expected,
            )
        parsed.append(lesson)
    return Course(
        lessons=tuple(parsed),
        checklists=parse_checklists(checklists[1], checklists[0]),
        guide=parse_guide(guide[1], guide[0]),
    )
