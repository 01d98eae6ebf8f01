"""`flask --app app roll-campaigns [--date YYYY-MM-DD]`: next month's campaigns, once."""

from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import Campaign, Task
from app.services import campaigns
from tests.factories import make_checkin, make_task


def test_roll_command_is_idempotent(app, district):
    campaigns.create_campaign(
        district.a.coordinator,
        {
            "title": "每月入户",
            "kind": "door_to_door",
            "area_id": district.a.community.id,
            "starts_on": date(2026, 11, 1),
            "ends_on": date(2026, 11, 30),
            "targets": {},
            "repeat_monthly": True,
        },
    )
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["roll-campaigns", "--date", "2026-12-01"])
    assert first.exit_code == 0, first.output
    assert (
        "1 campaigns rolled" in first.output and "2026-12-01..2026-12-31, 2 tasks" in first.output
    )
    again = runner.invoke(args=["roll-campaigns", "--date", "2026-12-01"])
    assert again.exit_code == 0 and "0 campaigns rolled" in again.output
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 2
    assert db.session.scalar(select(func.count()).select_from(Task)) == 4
    bad = runner.invoke(args=["roll-campaigns", "--date", "December"])
    assert bad.exit_code != 0 and "--date" in bad.output


def test_settle_command_settles_statuses_left_by_reads_once(app, district):
    """A database from before writes settled statuses: evidence rows whose tasks still say open."""
    a = district.a
    met = make_task(area=a.grids[0], kind="site_check", target_count=1, sites=[a.sites[0]])
    started = make_task(area=a.grids[0], kind="site_check", target_count=5, sites=[a.sites[0]])
    idle = make_task(area=a.grids[1], kind="site_check", target_count=1, sites=[a.sites[1]])
    make_checkin(user=a.worker, site=a.sites[0], task=met)
    make_checkin(user=a.worker, site=a.sites[0], task=started)
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["settle-tasks"])
    assert first.exit_code == 0 and "2 task statuses settled" in first.output, first.output
    db.session.expire_all()
    assert [db.session.get(Task, t.id).status for t in (met, started, idle)] == [
        "done",
        "in_progress",
        "open",
    ]
    again = runner.invoke(args=["settle-tasks"])
    assert again.exit_code == 0 and "0 task statuses settled" in again.output
