"""Households: creation rules, scope, reachability, filters."""

import pytest

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.services import households as hs
from tests.factories import make_household, make_task, make_user


def labels(query):
    return [h.label for h in db.session.scalars(query)]


def test_create_normalises_label_and_sorts_tags(district):
    h = hs.create_household(
        district.a.coordinator,
        {
            "area_id": district.a.grids[0].id,
            "label": " １２－２－３０１ ",
            "tags": ["student", "elderly"],
        },
    )
    assert h.label == "12-2-301" and h.tags == ["elderly", "student"] and h.unreachable is False


def test_duplicate_label_in_grid_conflicts_but_other_grid_is_fine(district):
    grid, other = district.a.grids
    make_household(area=grid, label="1-1-101")
    with pytest.raises(Conflict) as error:
        hs.create_household(district.a.coordinator, {"area_id": grid.id, "label": "1-1-101"})
    assert "label" in error.value.errors
    assert hs.create_household(district.a.coordinator, {"area_id": other.id, "label": "1-1-101"}).id


@pytest.mark.parametrize("who", ["worker", "leader"])
def test_only_managers_create(district, who):
    with pytest.raises(Forbidden):
        hs.create_household(
            getattr(district.a, who), {"area_id": district.a.grids[0].id, "label": "1-1-1"}
        )


def test_grid_outside_scope_or_not_a_grid(district):
    with pytest.raises(Forbidden):
        hs.create_household(
            district.a.coordinator, {"area_id": district.b.grids[0].id, "label": "1"}
        )
    with pytest.raises(Invalid) as error:
        hs.create_household(
            district.a.coordinator, {"area_id": district.a.community.id, "label": "1"}
        )
    assert "area_id" in error.value.errors


def test_blank_label_is_invalid(district):
    with pytest.raises(Invalid) as error:
        hs.create_household(
            district.a.coordinator, {"area_id": district.a.grids[0].id, "label": "   "}
        )
    assert "label" in error.value.errors


def test_mark_unreachable_needs_a_reason_and_back(district):
    h = make_household(area=district.a.grids[0])
    coordinator = district.a.coordinator
    with pytest.raises(Invalid) as error:
        hs.update_household(coordinator, h, {"unreachable": True})
    assert "unreachable_reason" in error.value.errors
    hs.update_household(coordinator, h, {"unreachable": True, "unreachable_reason": "vacant"})
    assert (h.unreachable, h.unreachable_reason) == (True, "vacant")
    hs.update_household(coordinator, h, {"unreachable_reason": "demolished"})
    assert (h.unreachable, h.unreachable_reason) == (True, "demolished")
    hs.update_household(coordinator, h, {"unreachable": False})
    assert (h.unreachable, h.unreachable_reason) == (False, None)
    with pytest.raises(Invalid):
        hs.update_household(coordinator, h, {"unreachable": False, "unreachable_reason": "vacant"})


def test_a_reason_alone_marks_unreachable(district):
    h = make_household(area=district.a.grids[0])
    hs.update_household(district.a.coordinator, h, {"unreachable_reason": "vacant"})
    assert h.unreachable is True


def test_update_label_checks_duplicates_and_scope(district):
    grid = district.a.grids[0]
    h, other = make_household(area=grid, label="1"), make_household(area=grid, label="2")
    with pytest.raises(Conflict):
        hs.update_household(district.a.coordinator, h, {"label": "2"})
    with pytest.raises(Forbidden):
        hs.update_household(district.b.coordinator, other, {"tags": ["elderly"]})
    with pytest.raises(Forbidden):
        hs.update_household(district.a.worker, other, {"tags": ["elderly"]})


def test_lists_are_scoped(district):
    a0, a1 = district.a.grids
    make_household(area=a0, label="a0"), make_household(area=a1, label="a1")
    make_household(area=district.b.grids[0], label="b0")
    assert {"a0", "a1", "b0"} <= set(labels(hs.list_households(district.admin)))
    assert labels(hs.list_households(district.a.coordinator)) == ["a0", "a1"]
    assert labels(hs.list_households(district.a.leader)) == ["a0", "a1"]
    # A worker sees their own grids only, not the whole community they belong to.
    assert labels(hs.list_households(district.a.worker)) == ["a0"]


def test_worker_also_sees_grids_of_tasks_assigned_to_them(district):
    a1 = district.a.grids[1]
    make_household(area=a1, label="a1")
    task = make_task(
        area=a1,
        kind="door_to_door",
        title="入户",
        assignees=[district.a.worker],
        due_at=district.a.street.created_at,
    )
    assert "a1" in labels(hs.list_households(district.a.worker))
    task.status = "cancelled"
    db.session.flush()
    assert "a1" not in labels(hs.list_households(district.a.worker))


def test_get_household_hides_other_areas(district):
    h = make_household(area=district.b.grids[0])
    with pytest.raises(NotFound):
        hs.get_household(district.a.coordinator, h.id)
    with pytest.raises(NotFound):
        hs.get_household(district.a.worker, make_household(area=district.a.grids[1]).id)
    assert hs.get_household(district.b.coordinator, h.id) is h


def test_filters(district):
    a0, a1 = district.a.grids
    make_household(area=a0, label="12-1-101", tags=["elderly", "student"])
    make_household(area=a0, label="12-2-101", tags=["student"])
    make_household(area=a0, label="120-1-101", unreachable=True, unreachable_reason="vacant")
    make_household(area=a1, label="3-1-101", tags=["elderly"])
    admin, street = district.admin, district.a.street.id
    assert labels(hs.list_households(admin, street, tag="elderly")) == ["12-1-101", "3-1-101"]
    assert labels(hs.list_households(admin, street, unreachable=True)) == ["120-1-101"]
    assert labels(hs.list_households(admin, street, q="12-")) == ["12-1-101", "12-2-101"]
    assert labels(hs.list_households(admin, area_id=district.a.community.id, q="3")) == ["3-1-101"]
    assert labels(hs.list_households(admin, area_id=a1.id)) == ["3-1-101"]
    assert labels(hs.list_households(admin, street, q="%")) == []


def test_worker_visibility_is_not_granted_by_other_workers(district):
    stranger = make_user(role="worker", area=district.a.community, grids=[district.a.grids[1]])
    h = make_household(area=district.a.grids[1])
    assert hs.get_household(stranger, h.id) is h
    with pytest.raises(NotFound):
        hs.get_household(district.a.worker, h.id)
