"""Risk warnings (预警指令), one stem: `handling` (enter, list, reveal, outcomes), `board` (the
daily zeroing board), `imports` (the bureau's list from CSV or XLSX), `figures` (counts for the
daily report and the dashboard)."""
