"""The university schema declared and filled by upstream DataJoint 0.14.10: this
implementation reads it, inserts into it and deletes from it; upstream then reads back
every table, and the rows must be exactly the expected ones."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import datajoint as dj
import numpy as np

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # the shared university module

from university import DEFINITIONS, FILL_ORDER, declare, generate, table_rows  # noqa: E402

TABLES = [*FILL_ORDER, "LetterGrade"]


def test_upstream_schema_read_written_and_deleted(upstream, db_params, make_database, tmp_path):
    db = make_database("uni_up")
    data = generate(seed=11, n_students=120)
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data))
    upstream.run(
        f"""
        import sys, json
        import numpy as np
        import datajoint as dj
        sys.path.insert(0, {str(HERE)!r})
        from university import declare, FILL_ORDER
        dj.config['safemode'] = False
        classes = declare(dj, dj.Schema({db!r}))
        data = json.load(open({str(path)!r}))
        for name in FILL_ORDER:
            rows = data[name]
            if name == 'Transcript':
                rows = [(r[0], r[1], np.array(r[2])) for r in rows]
            classes[name].insert(rows)
        """
    )
    connection = dj.Connection(db_params.host, db_params.user, db_params.password)
    with dj.config(safemode=False):
        # read: classes spawned from the stored tables, and the same classes declared here
        uni = dj.VirtualModule("uni", db, connection=connection)
        for name in FILL_ORDER:
            assert table_rows(getattr(uni, name)()) == sorted(data[name]), name
        classes = declare(dj, dj.Schema(db, connection=connection))
        assert len(classes["LetterGrade"]()) == len(DEFINITIONS[7][3])
        assert isinstance(
            classes["Transcript"].fetch1 and uni.Transcript.fetch("scores")[0], np.ndarray
        )

        # write: a new student with a major, two enrollments, grades and a transcript
        new_id = 9001
        sections = (classes["Section"]).fetch("KEY", order_by="KEY", limit=2)
        token = uuid.UUID(int=12345)
        scores = [4.0, 3.67]
        classes["Student"].insert1((new_id, "Ada", "Lovelace", "F", "2001-12-10", "NY"))
        classes["StudentMajor"].insert1(
            {"student_id": new_id, "dept": "MATH", "declare_date": "2020-09-01"}
        )
        classes["Enroll"].insert([{"student_id": new_id, **key} for key in sections])
        classes["Grade"].insert(
            [{"student_id": new_id, **key, "grade": g} for key, g in zip(sections, "AB")]
        )
        classes["Transcript"].insert1(
            {"student_id": new_id, "token": token, "scores": np.array(scores)}
        )
        # delete: the student with the most enrollments, with everything that depends on it
        counts: dict[int, int] = {}
        for row in data["Enroll"]:
            counts[row[0]] = counts.get(row[0], 0) + 1
        doomed = max(counts, key=counts.get)
        assert (uni.Student & {"student_id": doomed}).delete() == 1
    connection.close()

    expected = {name: [row for row in data[name] if row[0] != doomed] for name in FILL_ORDER}
    expected["Department"] = data["Department"]
    expected["Course"] = data["Course"]
    expected["Term"] = data["Term"]
    expected["Section"] = data["Section"]
    keys = [[key[k] for k in ("dept", "course", "term_year", "term", "section")]
            for key in sections]  # fmt: skip
    expected["Student"].append([new_id, "Ada", "Lovelace", "F", "2001-12-10", "NY"])
    expected["StudentMajor"].append([new_id, "MATH", "2020-09-01"])
    expected["Enroll"] += [[new_id, *key] for key in keys]
    expected["Grade"] += [[new_id, *key, g] for key, g in zip(keys, "AB")]
    expected["Transcript"].append([new_id, str(token), scores])
    expected["LetterGrade"] = DEFINITIONS[7][3]

    back = upstream.run_json(
        f"""
        import sys, json
        import datajoint as dj
        sys.path.insert(0, {str(HERE)!r})
        from university import table_rows
        dj.config['safemode'] = False
        uni = dj.VirtualModule('uni', {db!r})
        print(json.dumps({{name: table_rows(getattr(uni, name)()) for name in {TABLES!r}}}))
        """
    )
    for name in TABLES:
        assert back[name] == sorted(expected[name]), name
