-- Migration 7: one index in sequence order for both streamed kinds, covering what the history pages filter on besides
-- the user and the address: a page in sequence order with a time range, results, actions or flags reads this index
-- alone until it has its page, then only the page's rows. It replaces migration 2's ix_events_ingress and
-- ix_events_admin (the streams read it the same way: kind, then sequence) and migration 5's ix_events_history_action:
-- every index is paid for on each insert.
CREATE INDEX IF NOT EXISTS ix_events_kind_sequence ON events (source_id, kind, sequence) INCLUDE (event_time, result, risk_flags, action) WHERE kind > 0;
DROP INDEX IF EXISTS ix_events_ingress;
DROP INDEX IF EXISTS ix_events_admin;
DROP INDEX IF EXISTS ix_events_history_action;
