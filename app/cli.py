"""Command-line tools: flask --app app create-user | seed-demo | demo-logins | roll-campaigns |
settle-tasks | recount-households | recount-sites | recount-months | purge-expired | worker |
send-notifications | send-daily-report | partitions create-ahead | rollups clear."""

from __future__ import annotations

import click
from flask import Flask, current_app

from app.error_messages import in_language
from app.errors import DomainError
from app.extensions import db
from app.models import FORCES, ROLES


def register_commands(app: Flask) -> None:
    """Attach the project's commands to `flask`."""
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_logins_command)
    app.cli.add_command(roll_campaigns_command)
    app.cli.add_command(settle_tasks_command)
    app.cli.add_command(recount_households_command)
    app.cli.add_command(recount_sites_command)
    app.cli.add_command(recount_months_command)
    app.cli.add_command(purge_expired_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(send_notifications_command)
    app.cli.add_command(send_daily_report_command)
    app.cli.add_command(partitions_group)
    app.cli.add_command(rollups_group)


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--password", required=True, help="At least 8 characters, not a common one.")
@click.option("--area", "area_id", type=int, default=None, help="The area the user is confined to.")
@click.option("--force", type=click.Choice(FORCES), default=None)
@click.option("--display-name", default=None)
def create_user_command(username, role, password, area_id, force, display_name):
    """Create a user (the first admin, for example)."""
    from app.services.audit import changes, record_event
    from app.services.users import audit_view, build_user

    try:
        user = build_user(
            {
                "username": username,
                "password": password,
                "role": role,
                "area_id": area_id,
                "force": force,
                "display_name": display_name,
            }
        )
        # A grant like any other: audited, with no actor and no address (the command line).
        record_event(
            None,
            "user.create",
            user,
            via="command line",
            **changes({}, audit_view(user), secrets=["password"]),
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        details = "; ".join(
            f"{k}: {', '.join(map(in_language, v))}" for k, v in error.errors.items()
        )
        raise click.ClickException(
            in_language(error.message) + (f" ({details})" if details else "")
        ) from None
    click.echo(f"created user {user.username} (id {user.id}, role {user.role})")


@click.command("seed-demo")
def seed_demo_command():
    """Fill an empty database with a demo district; does nothing when data exists."""
    from app.demo import DEMO_PASSWORD, seed_demo

    created = seed_demo()
    db.session.commit()
    if created:
        click.echo("demo district created: " + ", ".join(f"{k} {v}" for k, v in created.items()))
    else:
        click.echo("database not empty: demo not seeded")
    _print_logins(DEMO_PASSWORD)


@click.command("demo-logins")
def demo_logins_command():
    """Print the demo logins."""
    from app.demo import DEMO_PASSWORD

    _print_logins(DEMO_PASSWORD)


def _print_logins(password: str) -> None:
    from app.demo import demo_logins

    logins = demo_logins()
    if not logins:
        return
    click.echo(f"demo logins (password for all: {password}):")
    width = max(len(username) for username, _, _ in logins) + 2
    for username, role, area in logins:
        click.echo(f"  {username:<{width}}{role:<13}{area}")


@click.command("roll-campaigns")
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to roll for (default: today in the district's time zone).",
)
def roll_campaigns_command(on):
    """Create next month's campaign and tasks for every monthly campaign that has ended; safe to rerun."""
    from app.services.campaigns import roll_campaigns

    created = roll_campaigns(on.date() if on else None)
    db.session.commit()
    for campaign in created:
        click.echo(
            f"rolled campaign {campaign.previous_id} into {campaign.id}: {campaign.title} "
            f"{campaign.starts_on}..{campaign.ends_on}, {len(campaign.tasks)} tasks"
        )
    click.echo(f"{len(created)} campaigns rolled")


@click.command("settle-tasks")
def settle_tasks_command():
    """Bring every unfinished task's status in line with its evidence; safe to rerun.

    Writes settle the statuses they affect; run this once on a database from before they did."""
    from app.services.task_progress import settle_all

    changed = settle_all()
    db.session.commit()
    click.echo(f"{changed} task statuses settled")


@click.command("recount-households")
def recount_households_command():
    """Rebuild each grid's count of household rows and of reachable ones; safe to rerun.

    Every household writer keeps them; run this after writing households around the app."""
    from app.services.households import recount_households

    changed = recount_households()
    db.session.commit()
    click.echo(f"{changed} areas recounted")


@click.command("recount-sites")
def recount_sites_command():
    """Rebuild each grid's count of active sites and of those asking for no visit; safe to rerun.

    Every site writer keeps them; run this after writing sites around the app."""
    from app.services.sites import recount_sites

    changed = recount_sites()
    db.session.commit()
    click.echo(f"{changed} areas recounted")


@click.command("recount-months")
def recount_months_command():
    """Rebuild the monthly sums of check-ins per site and visits per household; safe to rerun.

    Every check-in and visit writer keeps them; run this after writing evidence around the app
    (a restore, hand-written SQL)."""
    from app.services.coverage_sums import recount_months

    changed = recount_months()
    db.session.commit()
    click.echo(", ".join(f"{table}: {n} rows recounted" for table, n in changed.items()))


@click.command("purge-expired")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=1000,
    show_default=True,
    help="Rows changed per transaction.",
)
def purge_expired_command(batch_size):
    """Coarsen old check-in and visit positions, erase old warnings' phone numbers, delete old
    photos and notifications and old check-ins' and visits' client_id keys, delete photo files
    that no photo row names (older than an hour); safe to rerun.

    The periods are CHECKIN_POSITION_RETENTION_DAYS, WARNING_PHONE_RETENTION_DAYS,
    PHOTO_RETENTION_MONTHS, NOTIFICATION_RETENTION_DAYS and IDEMPOTENCY_KEEP_DAYS."""
    from flask import current_app

    from app.models.base import utcnow
    from app.services.photos import ORPHAN_GRACE, delete_orphan_files
    from app.services.retention import purge_plan

    config = current_app.config
    plan = purge_plan(
        config["CHECKIN_POSITION_RETENTION_DAYS"],
        config["WARNING_PHONE_RETENTION_DAYS"],
        config["JOB_RETENTION_DAYS"],
        photo_months=config["PHOTO_RETENTION_MONTHS"],
        notification_days=config["NOTIFICATION_RETENTION_DAYS"],
        idempotency_days=config["IDEMPOTENCY_KEEP_DAYS"],
    )
    for what, step, before in plan:
        total, last_id = 0, 0
        while changed := step(before, batch_size, last_id):
            db.session.commit()
            total, last_id = total + len(changed), changed[-1]
        click.echo(f"{what}: {total} (before {before:%Y-%m-%d %H:%M} UTC)")
    # Files a failed request wrote before its photo row could be stored (none of them is personal
    # data with a record; an hour leaves uploads in flight alone).
    orphans_before = utcnow() - ORPHAN_GRACE
    orphans = delete_orphan_files(orphans_before, batch_size)
    click.echo(
        f"orphan photo files deleted: {orphans} (before {orphans_before:%Y-%m-%d %H:%M} UTC)"
    )


@click.command("worker")
@click.option("--once", is_flag=True, help="Run what is queued now, then exit.")
@click.option(
    "--poll",
    type=float,
    default=None,
    help="Seconds between looks at the queue (JOB_POLL_SECONDS).",
)
def worker_command(once, poll):
    """Run background jobs (large imports) as they are queued; safe to run several at once."""
    import signal

    from app.services.jobs import work

    stopping = []
    # SIGTERM (systemd, make run) finishes the job in hand, then stops.
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    processed = work(once=once, poll_seconds=poll, should_stop=lambda: bool(stopping))
    click.echo(f"{processed} jobs processed")


@click.command("send-notifications")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option(
    "--poll",
    type=float,
    default=None,
    help="Seconds between looks at the outbox (NOTIFY_POLL_SECONDS).",
)
def send_notifications_command(once, poll):
    """Deliver notifications (warnings, reminders, escalations, tasks) as they fall due; safe to
    run several at once."""
    import signal

    from app.services.notifications.sender import run

    stopping = []
    # SIGTERM (systemd, make run) finishes the message in hand, then stops.
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    totals = run(once=once, poll_seconds=poll, should_stop=lambda: bool(stopping))
    click.echo(
        "notifications: {sent} sent, {retry} to retry, {failed} given up, {planned} reminders "
        "or escalations written".format(**totals)
    )


@click.command("send-daily-report")
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day reported (default: yesterday in the district's time zone).",
)
def send_daily_report_command(on):
    """Put the daily report's text in the outbox for the district's leaders and their group (the
    sender delivers it); once per day, safe to rerun."""
    from datetime import timedelta

    from flask_babel import force_locale
    from sqlalchemy import select

    from app.kit import daily_report_text
    from app.models import User
    from app.services import reports
    from app.services.localtime import today
    from app.services.notifications import events

    day = on.date() if on else today() - timedelta(days=1)
    reader = db.session.scalar(
        select(User).where(User.active, User.role == "admin").order_by(User.id)
    )
    if reader is None:
        raise click.ClickException("no active admin to read the district's report as")
    with force_locale("zh"):
        text = daily_report_text(reports.daily(reader, day))
    written = events.daily_report(day, text)
    db.session.commit()
    click.echo(f"daily report {day}: {'queued' if written else 'already queued, or no leader'}")


@click.group("partitions")
def partitions_group():
    """The monthly partitions of check-ins and visits (PostgreSQL)."""


@partitions_group.command("create-ahead")
@click.option(
    "--months",
    type=click.IntRange(0, 120),
    default=None,
    help="Months after this one to create (default: 3).",
)
def create_ahead_command(months):
    """Create this month's and the coming months' partitions of checkins and visits, moving any
    of their rows the DEFAULT partition caught; safe to rerun (run it monthly). Does nothing on
    SQLite, whose tables are not partitioned."""
    from app.services import partitions

    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        click.echo("not PostgreSQL: check-ins and visits are not partitioned; nothing to do")
        return
    created = partitions.create_ahead(
        connection, partitions.MONTHS_AHEAD if months is None else months
    )
    stray = {
        table: partitions.rows_in_default(connection, table) for table in partitions.PARTITIONED
    }
    db.session.commit()
    for name in created:
        click.echo(f"created partition {name}")
    for table, count in stray.items():
        if count:
            click.echo(f"warning: {count} rows of {table} are in its DEFAULT partition")
    click.echo(f"{len(created)} partitions created")


@click.group("rollups")
def rollups_group():
    """The coverage roll-ups kept in Redis (ROLLUP_CACHE_URL)."""


@rollups_group.command("clear")
def rollups_clear_command():
    """Forget every kept roll-up (after data was written by hand, outside the app)."""
    from app.services import rollup_cache

    if not current_app.config.get("ROLLUP_CACHE_URL"):
        click.echo("ROLLUP_CACHE_URL is not set: no roll-ups are kept")
        return
    if not rollup_cache.clear():
        raise click.ClickException("Redis did not answer; nothing was cleared")
    click.echo("roll-ups cleared")
