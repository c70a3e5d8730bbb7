"""The university example: definitions shared by this implementation and upstream 0.14,
and data generated here (deterministic), as plain JSON-able rows.

`DEFINITIONS` lists (class name, tier, definition, contents) in declaration order, so
the same loop declares the schema with either implementation (`declare`).
"""

from __future__ import annotations

import datetime
import random
import uuid
from typing import Any

DEFINITIONS: list[tuple[str, str, str, list | None]] = [
    (
        "Student",
        "Manual",
        """
        student_id : int unsigned   # university-wide ID number
        ---
        first_name      : varchar(40)
        last_name       : varchar(40)
        sex             : enum('F', 'M', 'U')
        date_of_birth   : date
        home_state      : char(2)
        """,
        None,
    ),
    (
        "Department",
        "Manual",
        """
        dept : varchar(6)   # abbreviated department name, e.g. BIOL
        ---
        dept_name    : varchar(200)
        dept_phone   : varchar(20)
        """,
        None,
    ),
    (
        "StudentMajor",
        "Manual",
        """
        -> Student
        ---
        -> Department
        declare_date :  date  # when student declared her major
        """,
        None,
    ),
    (
        "Course",
        "Manual",
        """
        -> Department
        course  : int unsigned   # course number, e.g. 1010
        ---
        course_name :  varchar(200)  # e.g. "Neurobiology of Sensation and Movement."
        credits     :  decimal(3,1)  # number of credits earned by completing the course
        """,
        None,
    ),
    (
        "Term",
        "Manual",
        """
        term_year : year
        term      : enum('Spring', 'Summer', 'Fall')
        """,
        None,
    ),
    (
        "Section",
        "Manual",
        """
        -> Course
        -> Term
        section : char(1)
        ---
        auditorium   :  varchar(12)
        """,
        None,
    ),
    (
        "Enroll",
        "Manual",
        """
        -> Student
        -> Section
        """,
        None,
    ),
    (
        "LetterGrade",
        "Lookup",
        """
        grade : char(2)
        ---
        points : decimal(3,2)
        """,
        [
            ["A", "4.00"],
            ["A-", "3.67"],
            ["B+", "3.33"],
            ["B", "3.00"],
            ["B-", "2.67"],
            ["C+", "2.33"],
            ["C", "2.00"],
            ["C-", "1.67"],
            ["D+", "1.33"],
            ["D", "1.00"],
            ["F", "0.00"],
        ],
    ),
    (
        "Grade",
        "Manual",
        """
        -> Enroll
        ---
        -> LetterGrade
        """,
        None,
    ),
    (
        "Transcript",
        "Manual",
        """
        -> Student
        ---
        token  : uuid            # a document id
        scores : longblob        # the grade points in order of enrollment
        """,
        None,
    ),
]

STATES = ["UT", "CA", "NY", "TX", "WA", "OR"]
DEPARTMENTS = [("BIOL", "Biology"), ("CS", "Computer Science"), ("MATH", "Mathematics"),
               ("PHYS", "Physics"), ("HIST", "History"), ("ART", "Art")]  # fmt: skip
TERMS = ["Spring", "Summer", "Fall"]


def declare(dj: Any, schema: Any) -> dict[str, Any]:
    """Declare the classes with the given `datajoint`-like module; returns them by name."""
    context: dict[str, Any] = {}
    for name, tier, definition, contents in DEFINITIONS:
        body: dict[str, Any] = {"definition": definition}
        if contents is not None:
            body["contents"] = [tuple(row) for row in contents]
        cls = type(name, (getattr(dj, tier),), body)
        context[name] = schema(cls, context=context)
    return context


def generate(seed: int = 7, n_students: int = 300) -> dict[str, list[list[Any]]]:
    """Rows of every Manual table, JSON-able (dates as ISO text, decimals as text)."""
    rng = random.Random(seed)
    students = []
    for sid in range(1, n_students + 1):
        born = datetime.date(1995, 1, 1) + datetime.timedelta(days=rng.randrange(3650))
        students.append([sid, f"First{sid}", f"Last{rng.randrange(120)}",
                         rng.choice("FMU"), born.isoformat(), rng.choice(STATES)])  # fmt: skip
    departments = [[dept, name, f"801-555-{i:04d}"] for i, (dept, name) in enumerate(DEPARTMENTS)]
    majors = [
        [s[0], rng.choice(DEPARTMENTS)[0], f"20{rng.randrange(15, 24)}-0{rng.randrange(1, 9)}-15"]
        for s in students
        if rng.random() < 0.8
    ]
    courses = []
    for dept, _ in DEPARTMENTS:
        for number in rng.sample(range(1000, 5000, 10), 6):
            credits = rng.choice(["3.0", "4.0", "1.5", "5.0"])
            courses.append([dept, number, f"{dept} topic {number}", credits])
    terms = [[year, term] for year in range(2020, 2024) for term in TERMS]
    sections = []
    for course in courses:
        for year, term in rng.sample(terms, 4):
            for letter in "ab"[: rng.randrange(1, 3)]:
                sections.append([course[0], course[1], year, term, letter, f"R{rng.randrange(99)}"])
    enrollments, grades = [], []
    letters = [row[0] for row in DEFINITIONS[7][3]]
    for student in students:
        for section in rng.sample(sections, rng.randrange(0, 12)):
            key = [student[0], *section[:5]]
            enrollments.append(key)
            if rng.random() < 0.9:
                grades.append([*key, rng.choice(letters)])
    transcripts = [
        [s[0], str(uuid.UUID(int=rng.getrandbits(128))), [rng.random() for _ in range(5)]]
        for s in students[:50]
    ]
    return {
        "Student": students,
        "Department": departments,
        "StudentMajor": majors,
        "Course": courses,
        "Term": terms,
        "Section": sections,
        "Enroll": enrollments,
        "Grade": grades,
        "Transcript": transcripts,
    }


FILL_ORDER = [name for name, tier, _, _ in DEFINITIONS if tier == "Manual"]


def plain(value: Any) -> Any:
    """A fetched value as JSON-able data, the same way in both implementations' processes."""
    import decimal

    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def table_rows(table: Any) -> list[list[Any]]:
    """All rows of a table, in heading order, sorted, as JSON-able lists."""
    names = list(table.heading.names)
    return sorted([plain(row[name]) for name in names] for row in table.fetch(as_dict=True))
