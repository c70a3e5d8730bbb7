"""The university example with `import datajoint as dj`: built from generated data, asked
the questions a user would ask, and checked against answers computed with pandas."""

from __future__ import annotations

import decimal
import sys
from pathlib import Path

import datajoint as dj
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the shared university module

from university import DEFINITIONS, FILL_ORDER, declare, generate, table_rows


@pytest.fixture
def university(db_params, make_database):
    connection = db_params.open_connection()
    connection.config["safemode"] = False  # its own config: cascades delete without asking
    with dj.config(safemode=False):
        schema = dj.Schema(make_database("uni"), connection=connection)
        classes = declare(dj, schema)
        data = generate()
        for name in FILL_ORDER:
            classes[name].insert(data[name])
        yield classes, data
    connection.close()


COLUMNS = {
    "Student": ["student_id", "first_name", "last_name", "sex", "date_of_birth", "home_state"],
    "Department": ["dept", "dept_name", "dept_phone"],
    "StudentMajor": ["student_id", "dept", "declare_date"],
    "Course": ["dept", "course", "course_name", "credits"],
    "Term": ["term_year", "term"],
    "Section": ["dept", "course", "term_year", "term", "section", "auditorium"],
    "Enroll": ["student_id", "dept", "course", "term_year", "term", "section"],
    "Grade": ["student_id", "dept", "course", "term_year", "term", "section", "grade"],
    "Transcript": ["student_id", "token", "scores"],
}


def frames(data):
    """The generated rows as pandas frames: the independent side of every check."""
    result = {name: pd.DataFrame(rows, columns=COLUMNS[name]) for name, rows in data.items()}
    result["LetterGrade"] = pd.DataFrame(DEFINITIONS[7][3], columns=["grade", "points"])
    return result


def test_rows_read_back_as_inserted(university):
    classes, data = university
    for name in FILL_ORDER:
        assert table_rows(classes[name]()) == sorted(data[name]), name
    assert table_rows(classes["LetterGrade"]()) == sorted(DEFINITIONS[7][3])


def test_questions_checked_with_pandas(university):
    c, data = university
    df = frames(data)

    # majors per department
    majors = dj.U("dept").aggr(c["StudentMajor"], n="count(*)").fetch(format="frame")
    expected = df["StudentMajor"].groupby("dept").size()
    assert majors["n"].to_dict() == expected.to_dict()

    # students from California born in 2000 or later
    q = c["Student"] & {"home_state": "CA"} & "date_of_birth >= '2000-01-01'"
    s = df["Student"]
    expected_ids = s[(s.home_state == "CA") & (s.date_of_birth >= "2000-01-01")].student_id
    assert sorted(q.fetch("student_id").tolist()) == sorted(expected_ids.tolist())

    # students who never enrolled
    never = set((c["Student"] - c["Enroll"]).fetch("student_id").tolist())
    assert never == set(s.student_id) - set(df["Enroll"].student_id)

    # grade point average, weighted by credits
    gpa = c["Student"].aggr(
        c["Grade"] * c["LetterGrade"] * c["Course"],
        gpa="sum(points * credits) / sum(credits)",
    )
    merged = (
        df["Grade"].merge(df["LetterGrade"], on="grade").merge(df["Course"], on=["dept", "course"])
    )
    merged["points"] = merged.points.astype(float)
    merged["credits"] = merged.credits.astype(float)
    merged["weighted"] = merged.points * merged.credits
    sums = merged.groupby("student_id")[["weighted", "credits"]].sum()
    expected_gpa = (sums.weighted / sums.credits).to_dict()
    ours = {k: float(v) for k, v in zip(*gpa.fetch("student_id", "gpa"))}
    assert ours.keys() == expected_gpa.keys()
    assert all(abs(ours[k] - expected_gpa[k]) < 1e-6 for k in ours)

    # the five best students (ties broken by id)
    top = (gpa & dj.Top(5, ["gpa desc", "student_id"])).fetch("student_id").tolist()
    ranked = sorted(expected_gpa, key=lambda k: (-round(expected_gpa[k], 9), k))[:5]
    assert sorted(top) == sorted(ranked)

    # enrollment per section, sections without students included
    counts = c["Section"].aggr(c["Enroll"], n="count(*)", keep_all_rows=True)
    assert len(counts) == len(df["Section"])
    key = ["dept", "course", "term_year", "term", "section"]
    expected_counts = df["Enroll"].groupby(key).size()
    got = {tuple(r[k] for k in key): r["n"] for r in counts.fetch(as_dict=True)}
    assert sum(got.values()) == len(df["Enroll"])
    assert all(got[k] == v for k, v in expected_counts.items())

    # biology students in fall 2022
    fall = c["Student"] & (c["Enroll"] & {"dept": "BIOL", "term_year": 2022, "term": "Fall"})
    e = df["Enroll"]
    expected_fall = e[(e.dept == "BIOL") & (e.term_year == 2022) & (e.term == "Fall")]
    assert set(fall.fetch("student_id").tolist()) == set(expected_fall.student_id)


def test_changes_cascade_like_pandas_says(university):
    c, data = university
    df = frames(data)
    busy = df["Enroll"].student_id.value_counts().index[0]
    gone = {
        name: int((df[name].student_id == busy).sum())
        for name in ("Enroll", "Grade", "StudentMajor", "Transcript")
    }
    before = {name: len(c[name]()) for name in gone}
    assert (c["Student"] & {"student_id": int(busy)}).delete() == 1
    for name, count in gone.items():
        assert before[name] - len(c[name]()) == count, name
    # an update and a new enrollment with a grade, as a user would
    student = int(df["StudentMajor"].student_id.iloc[-1])
    c["StudentMajor"].update1({"student_id": student, "declare_date": "2024-01-31"})
    assert str((c["StudentMajor"] & {"student_id": student}).fetch1("declare_date")) == (
        "2024-01-31"
    )
    section = (c["Section"] - (c["Enroll"] & {"student_id": student})).fetch("KEY", limit=1)[0]
    with c["Enroll"].connection.transaction:
        c["Enroll"].insert1({"student_id": student, **section})
        c["Grade"].insert1({"student_id": student, **section, "grade": "A"})
    points = (c["Grade"] * c["LetterGrade"] & {"student_id": student, **section}).fetch1("points")
    assert points == decimal.Decimal("4.00")
