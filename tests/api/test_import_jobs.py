"""Imports of more than 5,000 rows run as background jobs: 202, progress, the same report, run once."""

from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Household, Job
from app.services import jobs
from tests.factories import ApiClient, build_district, make_job
from tests.services.test_importing import csv_bytes

pytestmark = pytest.mark.slow


def upload(api, user, data, url="/households/import"):
    return api.post(
        url,
        user=user,
        data={"file": (io.BytesIO(data), "big.csv")},
        content_type="multipart/form-data",
    )


def rows_for(grids, count, first=0):
    return [["grid", "label", "tags"]] + [
        [grids[i % 2].id, f"{i}-1-101", "elderly"] for i in range(first, first + count)
    ]


def households() -> int:
    db.session.rollback()  # a fresh read: see what the worker committed
    return db.session.scalar(select(func.count(Household.id)))


def run_worker(app) -> str:
    """`flask worker --once`, in an app context (and so a database session) of its own."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def test_5001_rows_answer_202_and_the_worker_imports_them(app, committing, client):
    district = build_district()
    db.session.commit()
    api, coordinator = ApiClient(client), district.a.coordinator
    response = upload(api, coordinator, csv_bytes(rows_for(district.a.grids, 5_001)))
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["job_id"]
    queued = api.get(f"/jobs/{job_id}", user=coordinator).get_json()
    assert queued == {
        "id": job_id,
        "kind": "import:households",
        "status": "queued",
        "done": 0,
        "total": 5_001,
        "report": None,
    }
    assert households() == 0
    assert "1 jobs processed" in run_worker(app)
    done = api.get(f"/jobs/{job_id}", user=coordinator).get_json()
    assert done["status"] == "done" and done["done"] == done["total"] == 5_001
    assert done["report"] == {"created": 5_001, "errors": [], "error_count": 0}
    assert households() == 5_001
    assert db.session.get(Job, job_id).payload is None  # the file is not kept once imported


def test_the_job_report_is_the_synchronous_report(app, committing, client, monkeypatch):
    """The same bad file, answered at once (a higher threshold) and by the worker: the same body."""
    district = build_district()
    db.session.commit()
    api, coordinator = ApiClient(client), district.a.coordinator
    rows = rows_for(district.a.grids, 6_000)
    for i in range(1, 6_001, 3):
        rows[i][0] = "nowhere"  # 2,000 bad rows: more than the report lists
    data = csv_bytes(rows)
    monkeypatch.setitem(app.config, "IMPORT_SYNC_ROWS", 10_000)
    at_once = upload(api, coordinator, data)
    assert at_once.status_code == 422
    monkeypatch.setitem(app.config, "IMPORT_SYNC_ROWS", 5_000)
    job_id = upload(api, coordinator, data).get_json()["job_id"]
    run_worker(app)
    done = api.get(f"/jobs/{job_id}", user=coordinator).get_json()
    assert done["status"] == "done" and done["report"] == at_once.get_json()
    assert done["report"]["error_count"] == 2_000 and len(done["report"]["errors"]) == 1_000
    chinese = api.get(f"/jobs/{job_id}?lang=zh", user=coordinator).get_json()["report"]["errors"][
        0
    ]["message"]
    english = api.get(f"/jobs/{job_id}?lang=en", user=coordinator).get_json()["report"]["errors"][
        0
    ]["message"]
    assert english == "unknown grid 'nowhere'" and chinese == "未知网格 'nowhere'"
    assert households() == 0


def test_only_the_creator_sees_a_job(app, committing, client):
    district = build_district()
    db.session.commit()
    job_id = make_job(creator=district.a.coordinator).id
    db.session.commit()
    api = ApiClient(client)
    assert api.get(f"/jobs/{job_id}", user=district.a.coordinator).get_json()["status"] == "queued"
    for other in (district.b.coordinator, district.admin, district.a.leader):
        assert api.get(f"/jobs/{job_id}", user=other).status_code == 404
    assert api.get(f"/jobs/{job_id + 1000}", user=district.a.coordinator).status_code == 404
    assert api.get(f"/jobs/{job_id}").status_code == 401


def test_two_workers_racing_process_a_job_once(app, committing, client):
    district = build_district()
    db.session.commit()
    api = ApiClient(client)
    job_id = upload(
        api, district.a.coordinator, csv_bytes(rows_for(district.a.grids, 5_001))
    ).get_json()["job_id"]
    db.session.rollback()
    barrier, processed = threading.Barrier(2, timeout=30), []

    def worker():
        with app.app_context():
            barrier.wait()
            processed.append(jobs.work(once=True))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(processed) == [0, 1]
    assert households() == 5_001
    job = db.session.get(Job, job_id)
    assert job.status == "done" and job.attempts == 1


def test_a_claim_is_won_by_exactly_one_of_many(app, committing, client):
    district = build_district()
    db.session.commit()
    job = jobs.enqueue(district.a.coordinator, "import:households", b"grid,label\n", 1)
    db.session.commit()
    barrier, claims = threading.Barrier(4, timeout=30), []

    def claim():
        with app.app_context():
            barrier.wait()
            claims.append(jobs.claim_next())

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(claims, key=str) == [job.id, None, None, None]


def test_a_job_left_running_by_a_dead_worker_is_queued_again(app, committing, client, monkeypatch):
    district = build_district()
    db.session.commit()
    api, coordinator = ApiClient(client), district.a.coordinator
    job_id = upload(api, coordinator, csv_bytes(rows_for(district.a.grids, 5_001))).get_json()[
        "job_id"
    ]
    assert jobs.claim_next() == job_id  # a worker took it, then died without a word
    assert api.get(f"/jobs/{job_id}", user=coordinator).get_json()["status"] == "running"
    run_worker(app)
    assert (
        api.get(f"/jobs/{job_id}", user=coordinator).get_json()["status"] == "running"
    )  # not stale yet
    monkeypatch.setitem(app.config, "JOB_STALE_SECONDS", 0)
    run_worker(app)
    done = api.get(f"/jobs/{job_id}", user=coordinator).get_json()
    assert done["status"] == "done" and done["report"]["created"] == 5_001
    assert db.session.get(Job, job_id).attempts == 2 and households() == 5_001


def test_a_job_whose_import_fails_is_failed_with_a_message(app, committing, client):
    """The creator lost the right to import before the worker ran: failed, nothing written."""
    district = build_district()
    db.session.commit()
    api, coordinator = ApiClient(client), district.a.coordinator
    job_id = upload(api, coordinator, csv_bytes(rows_for(district.a.grids, 5_001))).get_json()[
        "job_id"
    ]
    coordinator.role = "worker"
    db.session.commit()
    run_worker(app)
    job = db.session.get(Job, job_id)
    assert job.status == "failed" and job.report["message"]["msgid"] and households() == 0
    # Stored as a msgid: the creator reads it in their own language when they ask.
    coordinator.role = "coordinator"
    db.session.commit()
    answer = api.get(
        f"/jobs/{job_id}", user=coordinator, headers={"Accept-Language": "en"}
    ).get_json()
    english = answer["report"]["message"]
    answer = api.get(
        f"/jobs/{job_id}", user=coordinator, headers={"Accept-Language": "zh"}
    ).get_json()
    assert answer["status"] == "failed" and english and answer["report"]["message"] != english
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer["report"]["message"])


def test_a_job_of_someone_deactivated_meanwhile_does_not_run(app, committing, client):
    district = build_district()
    db.session.commit()
    api, coordinator = ApiClient(client), district.a.coordinator
    job_id = upload(api, coordinator, csv_bytes(rows_for(district.a.grids, 5_001))).get_json()[
        "job_id"
    ]
    coordinator.active = False
    db.session.commit()
    run_worker(app)
    job = db.session.get(Job, job_id)
    assert (
        job.status == "failed"
        and "can no longer sign in" in job.report["message"]["msgid"]
        and households() == 0
    )


@pytest.mark.parametrize("url", ["/warnings/import", "/cases/import"])
def test_warnings_and_cases_take_the_same_road(app, committing, client, url):
    district = build_district()
    db.session.commit()
    api = ApiClient(client)
    data = b"a,b\n" + b"1,2\n" * 5_001
    response = upload(api, district.a.coordinator, data, url)
    assert response.status_code == 202
    job_id = response.get_json()["job_id"]
    run_worker(app)
    done = api.get(f"/jobs/{job_id}?lang=en", user=district.a.coordinator).get_json()
    assert done["status"] == "done" and done["report"]["created"] == 0
    assert (
        done["report"]["errors"][0]["row"] == 1
        and "missing column" in done["report"]["errors"][0]["message"]
    )
