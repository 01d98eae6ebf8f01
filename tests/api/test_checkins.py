"""POST /checkins, GET /checkins and the review, as the contract states them."""

from __future__ import annotations

import uuid

import pytest

from app.extensions import db
from app.models import AuditEvent, CheckIn
from tests.api.checkin_helpers import ago, body
from tests.factories import make_site, make_task, make_user


def post(api, user, data):
    return api.post("/checkins", user=user, json=data)


class TestRecord:
    def test_accepted_answer_has_the_contract_shape(self, api, district):
        site = district.a.sites[0]
        response = post(api, district.a.worker, body(site, 20))
        assert response.status_code == 201, response.get_json()
        answer = response.get_json()
        assert {"id", "status", "distance_m", "reason", "site"} <= set(answer)
        assert answer["status"] == "accepted" and answer["reason"] is None
        assert 19 < answer["distance_m"] < 21
        assert answer["site"]["id"] == site.id and answer["site"]["name"] == site.name
        row = db.session.get(CheckIn, answer["id"])
        assert row.user_id == district.a.worker.id and row.received_at >= row.captured_at

    def test_rejected_out_of_reach_with_the_distance(self, api, district):
        response = post(api, district.a.worker, body(district.a.sites[0], 400))
        answer = response.get_json()
        assert response.status_code == 201
        assert (answer["status"], answer["reason"]) == ("rejected", "out_of_range")
        assert 395 < answer["distance_m"] < 405 and answer["reason_text"]

    def test_flagged_with_reason(self, api, district):
        response = post(api, district.a.worker, body(district.a.sites[0], 10, accuracy_m=None))
        assert response.status_code == 201
        assert (response.get_json()["status"], response.get_json()["reason"]) == (
            "flagged",
            "no_accuracy",
        )

    def test_accuracy_may_be_left_out(self, api, district):
        data = body(district.a.sites[0], 10)
        del data["accuracy_m"]
        assert post(api, district.a.worker, data).get_json()["reason"] == "no_accuracy"

    def test_late_offline_send_is_accepted_with_both_times(self, api, district):
        response = post(
            api, district.a.worker, body(district.a.sites[0], 10, captured_at=ago(hours=30))
        )
        answer = response.get_json()
        assert (response.status_code, answer["status"]) == (201, "accepted")
        row = db.session.get(CheckIn, answer["id"])
        assert (row.received_at - row.captured_at).total_seconds() > 29 * 3600

    def test_stale_capture_is_flagged(self, api, district):
        response = post(
            api, district.a.worker, body(district.a.sites[0], 10, captured_at=ago(hours=73))
        )
        assert response.get_json()["reason"] == "too_old"

    def test_the_site_pin_is_flagged(self, api, district):
        site = district.a.sites[0]
        response = post(api, district.a.worker, body(site, lat=site.lat, lng=site.lng))
        assert response.get_json()["reason"] == "at_site_pin"

    def test_same_position_as_previous_fix_is_flagged(self, api, district):
        site = district.a.sites[0]
        first = body(site, 30, captured_at=ago(hours=2))
        post(api, district.a.worker, first)
        again = body(site, 30)
        assert (again["lat"], again["lng"]) == (first["lat"], first["lng"])
        assert post(api, district.a.worker, again).get_json()["reason"] == "same_position"

    def test_same_position_as_a_fix_from_weeks_ago_is_still_flagged(self, api, district):
        # Beyond the window the previous fix is first looked for in: the unbounded look finds it.
        site = district.a.sites[0]
        first = body(site, 30, captured_at=ago(days=40))
        assert post(api, district.a.worker, first).status_code == 201
        again = body(site, 30)
        assert post(api, district.a.worker, again).get_json()["reason"] == "same_position"

    def test_impossible_speed_since_previous_check_in_is_flagged(self, api, district):
        far_site = make_site(area=district.a.grids[0], lat=29.99, lng=121.55)  # ~10 km north
        db.session.commit()
        post(api, district.a.worker, body(far_site, 10, captured_at=ago(minutes=3)))  # 200 km/h
        response = post(api, district.a.worker, body(district.a.sites[0], 10))
        assert response.get_json()["reason"] == "too_fast"

    def test_third_check_in_within_ten_minutes_is_flagged(self, api, district):
        site = district.a.sites[0]
        statuses = [
            post(api, district.a.worker, body(site, m, captured_at=ago(minutes=9 - m))).get_json()[
                "reason"
            ]
            for m in (1, 2, 3)
        ]
        assert statuses == [None, None, "repeated"]

    def test_other_workers_check_ins_do_not_count_as_repeats(self, api, district):
        site, other = district.a.sites[0], make_user(role="worker", area=district.a.community)
        db.session.commit()
        post(api, other, body(site, 5))
        post(api, other, body(site, 6))
        assert post(api, district.a.worker, body(site, 7)).get_json()["status"] == "accepted"


class TestExactlyOnce:
    def test_repeat_client_id_answers_200_and_the_same_record(self, api, district):
        data = body(district.a.sites[0], 20)
        first = post(api, district.a.worker, data)
        second = post(api, district.a.worker, data)
        assert (first.status_code, second.status_code) == (201, 200)
        assert first.get_json() == second.get_json()
        assert (
            db.session.scalar(
                db.select(db.func.count())
                .select_from(CheckIn)
                .where(CheckIn.client_id == data["client_id"])
            )
            == 1
        )

    def test_repeat_with_the_uuid_written_differently_is_the_same(self, api, district):
        data = body(district.a.sites[0], 20)
        first = post(api, district.a.worker, data).get_json()
        again = post(api, district.a.worker, {**data, "client_id": data["client_id"].upper()})
        assert again.status_code == 200 and again.get_json()["id"] == first["id"]

    def test_repeat_after_the_code_was_rotated_still_answers_the_record(self, api, district):
        site, data = district.a.sites[0], body(district.a.sites[0], 20)
        first = post(api, district.a.worker, data).get_json()
        assert (
            api.post(f"/sites/{site.id}/rotate-qr", user=district.a.coordinator).status_code == 200
        )
        again = post(api, district.a.worker, data)
        assert again.status_code == 200 and again.get_json()["id"] == first["id"]

    def test_someone_elses_client_id_is_a_conflict(self, api, district):
        data = body(district.a.sites[0], 20)
        post(api, district.a.worker, data)
        response = post(api, district.a.police, data)
        assert response.status_code == 409 and "client_id" in response.get_json()["errors"]["json"]


class TestCodes:
    def test_rotated_code_stops_working_with_a_clear_message(self, api, district):
        site = district.a.sites[0]
        old = body(site)
        api.post(f"/sites/{site.id}/rotate-qr", user=district.a.coordinator)
        db.session.refresh(site)
        response = post(api, district.a.worker, old)
        assert response.status_code == 404
        assert (
            "已被新码替换" in response.get_json()["message"]
            and "token" in response.get_json()["errors"]["json"]
        )
        assert post(api, district.a.worker, body(site)).status_code == 201

    @pytest.mark.parametrize(
        "token", ["nonsense", "1-1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]
    )
    def test_bad_token_is_404_naming_token(self, api, district, token):
        response = post(api, district.a.worker, body(district.a.sites[0], token=token))
        assert response.status_code == 404 and "token" in response.get_json()["errors"]["json"]

    def test_tampered_token_is_refused(self, api, district):
        data = body(district.a.sites[0])
        data["token"] = data["token"].replace(
            f"{district.a.sites[0].id}-", f"{district.b.sites[0].id}-", 1
        )
        assert post(api, district.a.worker, data).status_code == 404

    def test_inactive_site_is_refused(self, api, district):
        site = district.a.sites[0]
        site.active = False
        db.session.commit()
        response = post(api, district.a.worker, body(site))
        assert response.status_code == 404 and "已停用" in response.get_json()["message"]


class TestScope:
    def test_worker_of_street_a_cannot_check_in_at_street_b(self, api, district):
        response = post(api, district.a.worker, body(district.b.sites[0]))
        assert response.status_code == 403
        assert (
            db.session.scalar(
                db.select(db.func.count())
                .select_from(CheckIn)
                .where(CheckIn.site_id == district.b.sites[0].id)
            )
            == 0
        )

    def test_scope_comes_before_validation(self, api, district):
        response = post(
            api, district.a.worker, body(district.b.sites[0], lat="north", client_id="x")
        )
        assert response.status_code == 403

    def test_leaders_read_but_do_not_check_in(self, api, district):
        response = post(api, district.a.leader, {"lat": "bad"})
        assert response.status_code == 403

    def test_no_token_no_entry(self, api, district):
        assert api.post("/checkins", json=body(district.a.sites[0])).status_code == 401


class TestTasks:
    def test_named_task_is_linked_and_started(self, api, district):
        task = make_task(
            area=district.a.grids[0],
            assignees=[district.a.worker],
            sites=[district.a.sites[0]],
            target_count=2,
        )
        other = make_task(area=district.a.grids[0], assignees=[district.a.worker])
        db.session.commit()
        answer = post(api, district.a.worker, body(district.a.sites[0], task_id=task.id)).get_json()
        assert answer["task_id"] == task.id
        db.session.refresh(task), db.session.refresh(other)
        assert (task.status, other.status) == ("in_progress", "open")

    def test_the_one_open_task_at_the_site_is_linked(self, api, district):
        task = make_task(area=district.a.grids[0], assignees=[district.a.worker])
        db.session.commit()
        assert (
            post(api, district.a.worker, body(district.a.sites[0])).get_json()["task_id"] == task.id
        )

    def test_no_link_when_two_tasks_could_fit(self, api, district):
        make_task(area=district.a.grids[0], assignees=[district.a.worker])
        make_task(area=district.a.grids[0], assignees=[district.a.worker])
        db.session.commit()
        assert post(api, district.a.worker, body(district.a.sites[0])).get_json()["task_id"] is None

    def test_unlinked_check_in_settles_the_grids_unfinished_site_tasks(self, api, district):
        a = district.a
        mine = [make_task(area=a.grids[0], assignees=[a.worker], target_count=2) for _ in range(2)]
        others = make_task(area=a.grids[0], assignees=[a.police], kind="poster", target_count=1)
        household = make_task(area=a.grids[0], assignees=[a.worker], kind="door_to_door")
        elsewhere = make_task(area=a.grids[1], assignees=[a.worker])
        done = make_task(area=a.grids[0], assignees=[a.worker], status="done")
        db.session.commit()
        answer = post(api, a.worker, body(a.sites[0])).get_json()
        assert answer["task_id"] is None and answer["status"] == "accepted"
        for task in (*mine, others, household, elsewhere, done):
            db.session.refresh(task)
        site_kind = a.sites[0].kind
        assert [t.status for t in mine] == ["in_progress", "in_progress"]
        assert others.status == ("done" if site_kind == "poster" else "open")
        assert (household.status, elsewhere.status, done.status) == ("open", "open", "done")

    def test_rejected_check_in_does_not_start_the_task(self, api, district):
        task = make_task(area=district.a.grids[0], assignees=[district.a.worker])
        db.session.commit()
        answer = post(api, district.a.worker, body(district.a.sites[0], 500)).get_json()
        db.session.refresh(task)
        assert answer["status"] == "rejected" and task.status == "open"

    @pytest.mark.parametrize("which", ["someone_elses", "other_site", "missing", "cancelled"])
    def test_wrong_task_is_422_naming_task_id(self, api, district, which):
        a = district.a
        tasks = {
            "someone_elses": lambda: make_task(area=a.grids[1], assignees=[a.police]),
            "other_site": lambda: make_task(
                area=a.grids[1], assignees=[a.worker], sites=[a.sites[1]]
            ),
            "cancelled": lambda: make_task(
                area=a.grids[0], assignees=[a.worker], status="cancelled"
            ),
        }
        task_id = tasks[which]().id if which in tasks else 999_999
        db.session.commit()
        response = post(api, a.worker, body(a.sites[0], task_id=task_id))
        assert response.status_code == 422 and "task_id" in response.get_json()["errors"]["json"]


BAD_INPUT = [
    ({"lat": 91}, "lat"),
    ({"lat": -90.5}, "lat"),
    ({"lng": 180.1}, "lng"),
    ({"lng": "121.5"}, "lng"),
    ({"lat": "north"}, "lat"),
    ({"lat": None}, "lat"),
    ({"lat": True}, "lat"),
    ({"client_id": "not-a-uuid"}, "client_id"),
    ({"client_id": 12}, "client_id"),
    ({"client_id": None}, "client_id"),
    ({"accuracy_m": -1}, "accuracy_m"),
    ({"accuracy_m": "ten"}, "accuracy_m"),
    ({"note": "字" * 1001}, "note"),
    ({"captured_at": "yesterday"}, "captured_at"),
    ({"captured_at": "2024-11-05T08:00:00"}, "captured_at"),  # no zone offset
    ({"captured_at": "0001-01-01T00:00:00+00:00"}, "captured_at"),
    ({"captured_at": "9999-12-31T23:59:59Z"}, "captured_at"),
    ({"accuracy_m": 1e308}, "accuracy_m"),
    ({"lat": float("inf")}, "lat"),
    ({"task_id": "3"}, "task_id"),
    ({"task_id": 2**31}, "task_id"),
    ({"people_reached": -3}, "people_reached"),
    ({"materials_count": 1.5}, "materials_count"),
    ({"token": ""}, "token"),
    ({"surprise": 1}, "surprise"),
]


class TestValidation:
    @pytest.mark.parametrize("change, field", BAD_INPUT)
    def test_bad_field_is_422_naming_it(self, api, district, change, field):
        response = post(api, district.a.worker, body(district.a.sites[0], **change))
        assert response.status_code == 422, response.get_json()
        assert field in response.get_json()["errors"]["json"]

    @pytest.mark.parametrize("missing", ["token", "lat", "lng", "client_id", "captured_at"])
    def test_missing_required_field(self, api, district, missing):
        data = body(district.a.sites[0])
        del data[missing]
        response = post(api, district.a.worker, data)
        assert response.status_code == 422 and missing in response.get_json()["errors"]["json"]

    def test_empty_body_names_every_required_field(self, api, district):
        response = post(api, district.a.worker, {})
        assert response.status_code == 422
        assert {"token", "lat", "lng", "client_id", "captured_at"} <= set(
            response.get_json()["errors"]["json"]
        )

    @pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b"null"])
    def test_non_object_bodies_are_4xx(self, api, district, raw):
        response = api.post(
            "/checkins", user=district.a.worker, data=raw, content_type="application/json"
        )
        assert 400 <= response.status_code < 500

    def test_note_of_1000_characters_is_fine(self, api, district):
        assert (
            post(api, district.a.worker, body(district.a.sites[0], note="字" * 1000)).status_code
            == 201
        )

    def test_nothing_stored_on_bad_input(self, api, district):
        data = body(district.a.sites[0], lat=95)
        post(api, district.a.worker, data)
        assert (
            db.session.scalar(db.select(CheckIn).where(CheckIn.client_id == data["client_id"]))
            is None
        )


def _checkin(api, user, site, metres=10, **kw):
    return post(api, user, body(site, metres, **kw)).get_json()


class TestList:
    def test_worker_sees_only_their_own(self, api, district):
        mine = _checkin(api, district.a.worker, district.a.sites[0])
        _checkin(api, district.a.police, district.a.sites[0], 12)
        items = api.get("/checkins", user=district.a.worker).get_json()["items"]
        assert [c["id"] for c in items] == [mine["id"]]

    def test_coordinator_sees_their_street_only(self, api, district):
        a = _checkin(api, district.a.worker, district.a.sites[0])
        b = _checkin(api, district.b.worker, district.b.sites[0])
        ids = {
            c["id"]
            for c in api.get("/checkins?per_page=200", user=district.a.coordinator).get_json()[
                "items"
            ]
        }
        assert a["id"] in ids and b["id"] not in ids

    def test_filters(self, api, district):
        a = district.a
        accepted = _checkin(api, a.worker, a.sites[0])
        rejected = _checkin(api, a.police, a.sites[1], 900)
        old = _checkin(api, a.worker, a.sites[0], 15, captured_at="2024-11-05T10:00:00+08:00")

        def ids(query):
            response = api.get(f"/checkins?{query}", user=a.coordinator)
            assert response.status_code == 200, response.get_json()
            return {c["id"] for c in response.get_json()["items"]}

        assert ids("status=rejected") >= {rejected["id"]} and accepted["id"] not in ids(
            "status=rejected"
        )
        assert ids(f"site_id={a.sites[1].id}") == {rejected["id"]}
        assert ids(f"user_id={a.worker.id}") == {accepted["id"], old["id"]}
        assert ids(f"area_id={a.grids[1].id}") == {rejected["id"]}
        assert ids(f"force=police&area_id={a.street.id}") == {rejected["id"]}
        assert ids(f"from=2024-11-05&to=2024-11-05&area_id={a.street.id}") == {old["id"]}
        assert ids(f"from=2024-11-06&to=2024-11-06&area_id={a.street.id}") == set()
        assert ids(f"to=2024-11-05T09:59:59%2B08:00&area_id={a.street.id}") == set()

    @pytest.mark.parametrize(
        "query, field",
        [
            ("status=great", "status"),
            ("from=monday", "from"),
            ("to=9999-12-31", "to"),
            ("from=0001-01-01", "from"),
            ("site_id=99999999999", "site_id"),
            ("area_id=x", "area_id"),
            ("force=ninja", "force"),
        ],
    )
    def test_bad_filters_name_the_field(self, api, district, query, field):
        response = api.get(f"/checkins?{query}", user=district.a.coordinator)
        assert response.status_code == 422 and field in response.get_json()["errors"]["json"]

    def test_area_filter_outside_scope_is_403(self, api, district):
        assert (
            api.get(
                f"/checkins?area_id={district.b.street.id}", user=district.a.coordinator
            ).status_code
            == 403
        )

    def test_one_check_in_outside_view_is_404(self, api, district):
        b = _checkin(api, district.b.worker, district.b.sites[0])
        assert api.get(f"/checkins/{b['id']}", user=district.a.coordinator).status_code == 404
        assert api.get(f"/checkins/{b['id']}", user=district.b.coordinator).status_code == 200


class TestReview:
    def flagged(self, api, district, user=None):
        answer = _checkin(api, user or district.a.worker, district.a.sites[0], accuracy_m=None)
        assert answer["status"] == "flagged"
        return answer

    def review(self, api, user, checkin_id, **data):
        return api.post(f"/checkins/{checkin_id}/review", user=user, json=data)

    def test_approve_counts_it_and_is_audited(self, api, district):
        task = make_task(area=district.a.grids[0], assignees=[district.a.worker], target_count=2)
        db.session.commit()
        flagged = self.flagged(api, district)
        db.session.refresh(task)
        assert task.status == "open"
        response = self.review(
            api, district.a.coordinator, flagged["id"], decision="approve", reason="照片核实"
        )
        answer = response.get_json()
        assert response.status_code == 200 and answer["status"] == "accepted"
        assert (
            answer["reviewed_by_id"] == district.a.coordinator.id
            and answer["review_note"] == "照片核实"
        )
        db.session.refresh(task)
        assert task.status == "in_progress"
        event = db.session.scalar(
            db.select(AuditEvent).where(
                AuditEvent.action == "checkin.approve", AuditEvent.object_id == flagged["id"]
            )
        )
        assert event is not None and event.actor_id == district.a.coordinator.id

    def test_reject_needs_a_reason(self, api, district):
        flagged = self.flagged(api, district)
        response = self.review(api, district.a.coordinator, flagged["id"], decision="reject")
        assert response.status_code == 422 and "reason" in response.get_json()["errors"]["json"]
        response = self.review(
            api, district.a.coordinator, flagged["id"], decision="reject", reason="定位异常"
        )
        assert response.get_json()["status"] == "rejected"
        assert db.session.scalar(
            db.select(AuditEvent).where(
                AuditEvent.action == "checkin.reject", AuditEvent.object_id == flagged["id"]
            )
        )

    def test_never_ones_own(self, api, district):
        flagged = self.flagged(api, district, user=district.a.coordinator)
        response = self.review(api, district.a.coordinator, flagged["id"], decision="approve")
        assert response.status_code == 403

    def test_only_flagged_ones(self, api, district):
        accepted = _checkin(api, district.a.worker, district.a.sites[0])
        response = self.review(
            api, district.a.coordinator, accepted["id"], decision="reject", reason="x"
        )
        assert response.status_code == 409

    def test_workers_and_leaders_cannot_review(self, api, district):
        flagged = self.flagged(api, district)
        for user in (district.a.police, district.a.leader):
            assert self.review(api, user, flagged["id"], decision="approve").status_code == 403

    def test_other_street_cannot_see_it(self, api, district):
        flagged = self.flagged(api, district)
        assert (
            self.review(api, district.b.coordinator, flagged["id"], decision="approve").status_code
            == 404
        )
        assert (
            self.review(api, district.b.coordinator, flagged["id"], decision="maybe").status_code
            == 404
        )

    def test_bad_decision_names_the_field(self, api, district):
        flagged = self.flagged(api, district)
        response = self.review(api, district.a.coordinator, flagged["id"], decision="maybe")
        assert response.status_code == 422 and "decision" in response.get_json()["errors"]["json"]


def test_openapi_documents_the_calls(api, district):
    spec = api.client.get("/api/v1/openapi.json").get_json()
    assert {
        "/api/v1/checkins",
        "/api/v1/checkins/{checkin_id}/review",
        "/api/v1/sites/{site_id}/qr.png",
        "/api/v1/sites/{site_id}/qr.svg",
    } <= set(spec["paths"])


def test_client_id_is_stored_canonical(api, district):
    raw = uuid.uuid4()
    answer = post(api, district.a.worker, body(district.a.sites[0], client_id=raw.hex)).get_json()
    assert answer["client_id"] == str(raw)
