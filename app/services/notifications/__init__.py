"""Notifications, one stem: `outbox` (write what needs telling, in the change's transaction),
`audience` (who hears what about a warning), `channels` (log, JSON webhook, WeCom, DingTalk, SMS),
`sender` (claim, send, retry; reminders and escalations found from the clock), `inbox` (the
in-app badge and list)."""
