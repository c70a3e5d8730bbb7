"""The published DataJoint Elements, activated through their own `activate` functions by a
workflow module as their users write it, against our `datajoint`.

The Elements (element-lab, -animal, -session, -event, -array-ephys, -calcium-imaging)
come from PyPI without upstream `datajoint` (`dj_testing.elements`); each workflow runs in
a fresh process, as a user's session would, and prints a JSON summary the test checks.
Their schemas share one unique prefix and are dropped afterwards.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from dj_testing.elements import run_with_elements
from dj_testing.plugin import unique_database_name

# a workflow's pipeline module, as workflow-array-ephys and workflow-calcium-imaging
# write theirs: the upstream Elements, the linking names, then the Element itself
PIPELINE_HEAD = """
import datajoint as dj
from element_animal import subject
from element_animal.subject import Subject
from element_lab import lab
from element_lab.lab import Lab, Location, Project, Protocol, Source, User
from element_lab.lab import Device as Equipment
from element_lab.lab import User as Experimenter
from element_session import session_with_datetime as session
from element_session.session_with_datetime import Session

db_prefix = dj.config["custom"]["database.prefix"]

lab.activate(db_prefix + "lab")
subject.activate(db_prefix + "subject", linking_module=__name__)
session.activate(db_prefix + "session", linking_module=__name__)


def get_session_directory(session_key):
    return "."
"""

EPHYS_PIPELINE = (
    PIPELINE_HEAD
    + '''
from element_array_ephys import ephys_acute as ephys
from element_array_ephys import ephys_report, probe


@lab.schema
class SkullReference(dj.Lookup):
    definition = """
    skull_reference   : varchar(60)
    """
    contents = zip(["Bregma", "Lambda"])


def get_ephys_root_data_dir():
    return ["."]


ephys.activate(db_prefix + "ephys", db_prefix + "probe", linking_module=__name__)
'''
)

IMAGING_PIPELINE = (
    PIPELINE_HEAD
    + """
from element_calcium_imaging import imaging, imaging_report, scan


def get_imaging_root_data_dir():
    return ["."]


imaging.activate(db_prefix + "imaging", db_prefix + "scan", linking_module=__name__)
"""
)

BEHAVIOUR_PIPELINE = (
    PIPELINE_HEAD
    + """
from element_animal import genotyping, surgery
from element_event import event, trial
from element_lab import project


def get_experiment_root_data_dir():
    return ["."]


project.activate(db_prefix + "project", linking_module=__name__)
genotyping.activate(db_prefix + "genotyping", db_prefix + "subject", linking_module=__name__)
surgery.activate(db_prefix + "surgery", db_prefix + "subject", linking_module=__name__)
trial.activate(db_prefix + "trial", db_prefix + "event", linking_module=__name__)
"""
)

# the part every workflow shares: a subject and a session entered through the Elements
COMMON_ROWS = """
import datetime, json
import datajoint as dj
import workflow_pipeline as pipeline
from workflow_pipeline import lab, session, subject

assert dj.__version__.startswith("0.15"), dj.__version__  # ours, not upstream's
lab.Lab.insert1(dict(lab="rig", lab_name="The Rig Lab", address="1 Road", time_zone="UTC"))
lab.User.insert1(dict(user="ann", user_email="ann@u.org", user_cellphone="1"))
subject.Subject.insert1(dict(subject="m1", subject_nickname="mouse", sex="F",
                             subject_birth_date="2023-01-02", subject_description=""))
session_key = dict(subject="m1", session_datetime=datetime.datetime(2024, 5, 6, 7, 8, 9))
session.Session.insert1(session_key)
session.SessionExperimenter.insert1(dict(session_key, user="ann"))
summary = dict(
    sessions=len(session.Session()),
    experimenter=(session.SessionExperimenter & session_key).fetch1("user"),
    subject_database=subject.schema.database,
)
"""


@pytest.fixture
def workflow(tmp_path, db_params, db_admin):
    """Runs a workflow script beside a pipeline module; drops its schemas afterwards."""
    prefix = unique_database_name() + "_"

    def run(pipeline: str, script: str) -> dict:
        (tmp_path / "workflow_pipeline.py").write_text(pipeline)
        env = {
            **db_params.env,
            "PYTHONPATH": str(tmp_path),
            "DJ_SUPPORT_FILEPATH_MANAGEMENT": "TRUE",
        }
        code = (
            'import datajoint as dj\ndj.config["custom"] = {"database.prefix": '
            f"{prefix!r}}}\n" + textwrap.dedent(COMMON_ROWS) + textwrap.dedent(script)
        )
        result = run_with_elements(code, env=env)
        assert "Unable to" not in result.stdout, result.stdout  # an Element's swallowed error
        return json.loads(result.stdout.strip().splitlines()[-1])

    run.prefix = prefix
    run.full_name = lambda database, table: f"{db_params.quote(database)}.{db_params.quote(table)}"
    yield run
    with db_admin.cursor() as cursor:
        cursor.execute(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
            (prefix.replace("_", r"\_") + "%",),
        )
        for (name,) in cursor.fetchall():
            db_params.drop_database(cursor, name)
        if db_params.backend == "mysql":
            cursor.execute("SET FOREIGN_KEY_CHECKS=1")


def test_array_ephys_workflow(workflow):
    summary = workflow(
        EPHYS_PIPELINE,
        """
        from workflow_pipeline import ephys, ephys_report, probe
        probe.Probe.insert1(dict(probe="17131311651", probe_type="neuropixels 1.0 - 3B"))
        insertion = dict(session_key, insertion_number=0, probe="17131311651")
        ephys.ProbeInsertion.insert1(insertion)
        ephys.ClusteringParamSet.insert_new_params(
            "kilosort2.5", "default", {"fs": 30000, "fshigh": 150.0}, paramset_idx=0
        )
        params = (ephys.ClusteringParamSet & {"paramset_idx": 0}).fetch1("params")
        summary.update(
            probe_types=sorted(probe.ProbeType.fetch("probe_type")),
            electrodes=len(probe.ProbeType.Electrode & {"probe_type": "neuropixels 1.0 - 3B"}),
            skull_references=sorted(pipeline.SkullReference.fetch("skull_reference")),
            insertions=len(ephys.ProbeInsertion()),
            params=params,
            report_database=ephys_report.schema.database,
            report_parent=ephys_report.ProbeLevelReport.parents(),
            ephys_tables=ephys.schema.list_tables(),
            ephys_database=ephys.schema.database,
            pending=len(ephys.EphysRecording.key_source),
        )
        print(json.dumps(summary, default=str))
        """,
    )
    prefix = workflow.prefix
    assert summary["sessions"] == 1 and summary["experimenter"] == "ann"
    assert summary["subject_database"] == prefix + "subject"
    assert len(summary["probe_types"]) == 5  # the five neuropixels types of probe.activate
    assert summary["electrodes"] == 960
    assert summary["skull_references"] == ["Bregma", "Lambda"]
    assert summary["insertions"] == 1 and summary["pending"] == 1
    assert summary["params"] == {"fs": 30000, "fshigh": 150.0}
    # ephys_report activates with add_objects of a virtual module of ephys: its own
    # schema keeps its own database, and its table references ephys's
    assert summary["ephys_database"] == prefix + "ephys"
    assert summary["report_database"] == prefix + "ephys_report"
    assert summary["report_parent"] == [workflow.full_name(prefix + "ephys", "_curated_clustering")]
    assert "_curated_clustering__unit" in summary["ephys_tables"]


def test_calcium_imaging_workflow(workflow):
    summary = workflow(
        IMAGING_PIPELINE,
        """
        from workflow_pipeline import imaging, imaging_report, scan
        lab.Device.insert1(dict(device="scope", modality="Calcium imaging", description=""))
        scan.Scan.insert1(dict(session_key, scan_id=0, device="scope",
                               acq_software="ScanImage", scan_notes=""))
        summary.update(
            scans=len(scan.Scan()),
            methods=sorted(imaging.ProcessingMethod.fetch("processing_method")),
            imaging_database=imaging.schema.database,
            scan_database=scan.schema.database,
            report_database=imaging_report.schema.database,
            report_tables=imaging_report.schema.list_tables(),
            pending=len(scan.ScanInfo.key_source),
        )
        print(json.dumps(summary, default=str))
        """,
    )
    prefix = workflow.prefix
    assert summary["sessions"] == 1 and summary["scans"] == 1 and summary["pending"] == 1
    assert "suite2p" in summary["methods"]
    assert summary["imaging_database"] == prefix + "imaging"
    assert summary["scan_database"] == prefix + "scan"
    assert summary["report_database"] == prefix + "imaging_report"
    assert summary["report_tables"]


def test_lab_animal_session_event_workflow(workflow):
    summary = workflow(
        BEHAVIOUR_PIPELINE,
        """
        from workflow_pipeline import event, genotyping, project, surgery, trial
        lab.Project.insert1(dict(project="p1", project_description="first"))
        session.ProjectSession.insert1(dict(session_key, project="p1"))
        project.Project.insert1(dict(project="p1", project_title="First",
                                     project_start_date="2024-01-01"))
        project.ProjectPersonnel.insert1(dict(project="p1", user="ann"))
        event.BehaviorRecording.insert1(dict(session_key, recording_start_time=None,
                                             recording_duration=10.0))
        event.EventType.insert1(dict(event_type="lick", event_type_description=""))
        event.Event.insert([dict(session_key, event_type="lick", event_start_time=t)
                            for t in (0.5, 1.5)], allow_direct_insert=True)
        trial.TrialType.insert1(dict(trial_type="go", trial_type_description=""))
        trial.Trial.insert1(dict(session_key, trial_id=1, trial_type="go",
                                 trial_start_time=0.0, trial_stop_time=2.0),
                            allow_direct_insert=True)
        summary.update(
            events=sorted(map(float, (event.Event & session_key).fetch("event_start_time"))),
            projects=(session.ProjectSession & session_key).fetch1("project"),
            personnel=(project.ProjectPersonnel & {"project": "p1"}).fetch1("user"),
            trials=len(trial.Trial()),
            surgery_database=surgery.schema.database,
            genotyping_tables=len(genotyping.schema.list_tables()),
            event_database=event.schema.database,
        )
        print(json.dumps(summary, default=str))
        """,
    )
    prefix = workflow.prefix
    assert summary["events"] == [0.5, 1.5]
    assert summary["projects"] == "p1" and summary["trials"] == 1
    assert summary["personnel"] == "ann"
    assert summary["surgery_database"] == prefix + "surgery"
    assert summary["event_database"] == prefix + "event"
    assert summary["genotyping_tables"] > 0


# the other table layouts the Elements offer: each module is its own schema, activated
# by the same workflow (one per process: each activates the shared report module)
VARIANT_PIPELINE = (
    PIPELINE_HEAD
    + """
import importlib
import os

from element_calcium_imaging import analysis


@lab.schema
class SkullReference(dj.Lookup):
    definition = \"\"\"
    skull_reference   : varchar(60)
    \"\"\"
    contents = zip(["Bregma", "Lambda"])


def get_ephys_root_data_dir():
    return ["."]


def get_imaging_root_data_dir():
    return ["."]


variant = os.environ["ELEMENT_VARIANT"]
package, module_name = variant.split(".")
element = importlib.import_module(variant)
upstream = "probe" if package == "element_array_ephys" else "scan"
element.activate(db_prefix + module_name, db_prefix + upstream, linking_module=__name__)
if package == "element_calcium_imaging":  # the analysis of imaging against trials
    from element_event import event, trial

    trial.activate(db_prefix + "trial", db_prefix + "event", linking_module=__name__)
    imaging = element
    analysis.activate(db_prefix + "analysis", linking_module=__name__)
"""
)


@pytest.mark.parametrize(
    "variant",
    [
        "element_array_ephys.ephys_no_curation",
        "element_array_ephys.ephys_chronic",
        "element_array_ephys.ephys_precluster",
        "element_calcium_imaging.imaging_no_curation",
        "element_calcium_imaging.imaging_preprocess",
    ],
)
def test_the_other_element_modules_activate(workflow, monkeypatch, variant):
    monkeypatch.setenv("ELEMENT_VARIANT", variant)
    summary = workflow(
        VARIANT_PIPELINE,
        """
        summary.update(
            database=pipeline.element.schema.database,
            tables=pipeline.element.schema.list_tables(),
        )
        if pipeline.package == "element_calcium_imaging":
            summary["analysis_parents"] = sorted(
                pipeline.analysis.ActivityAlignmentCondition.parents()
            )
        print(json.dumps(summary, default=str))
        """,
    )
    assert summary["database"] == workflow.prefix + variant.split(".")[1]
    assert len(summary["tables"]) > 10
    assert summary["sessions"] == 1
    if "analysis_parents" in summary:
        assert summary["analysis_parents"] == sorted(
            [
                workflow.full_name(workflow.prefix + "event", "alignment_event"),
                workflow.full_name(summary["database"], "__activity"),
            ]
        )
