"""The built-in security course (sans-I/O): lessons, quizzes, checklists, the
compromise guide, and the person's own progress. Design: docs/course.md.

    content   the shapes of the course data (Persian and English side by side)
    loader    strict reading of the TOML files in `lessons/`, `checklists.toml`, `guide.toml`
    quiz      scoring a quiz from a form's fields
    progress  what the device keeps (never the cell): quizzes passed, boxes ticked
    errors    CourseError and its two kinds
"""

from hasteh.course.content import Bilingual, Checklist, Course, Guide, GuideStep, Lesson, Question
from hasteh.course.errors import CourseError, LessonFileInvalid, QuizAnswerInvalid
from hasteh.course.loader import assemble, parse_checklists, parse_guide, parse_lesson
from hasteh.course.progress import Progress, after_quiz, after_reading, read_ticks
from hasteh.course.quiz import QuizResult, lesson_for, read_answers, score

__all__ = [
    "Bilingual",
    "Checklist",
    "Course",
    "CourseError",
    "Guide",
    "GuideStep",
    "Lesson",
    "LessonFileInvalid",
    "Progress",
    "Question",
    "QuizAnswerInvalid",
    "QuizResult",
    "after_quiz",
    "after_reading",
    "assemble",
    "lesson_for",
    "parse_checklists",
    "parse_guide",
    "parse_lesson",
    "read_answers",
    "read_ticks",
    "score",
]
