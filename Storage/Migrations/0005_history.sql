-- Migration 5: the history queries (ListIngress, ListAdmin, GetUserActivity, ListLocations). Each ingress and admin
-- event gets the columns they filter and group by, written with the event (Storage/History/ActivityFacts.cs):
-- user_key (ingress: the user; admin: the actor) and target_key (admin: the target), both lower case; result (the
-- SignInResult or ActivityResult number); action (the AdminAction number); client_ip (the client's or the actor's
-- address); the sign-in's location (GeoIP), whether it is reliable (false for federated domains) and its application.
-- Raw-only records leave them NULL and get no index entry: every index is partial.
--
-- Events stored before this migration have no such columns filled: they appear in the unfiltered lists, not in the
-- filtered ones nor the location counts (no release stored events before it; retention removes them within its period).
ALTER TABLE events
    ADD COLUMN user_key text NULL,
    ADD COLUMN target_key text NULL,
    ADD COLUMN result smallint NOT NULL DEFAULT 0,
    ADD COLUMN action smallint NULL,
    ADD COLUMN client_ip inet NULL,
    ADD COLUMN country_code text NULL,
    ADD COLUMN country_name text NULL,
    ADD COLUMN region text NULL,
    ADD COLUMN city text NULL,
    ADD COLUMN latitude double precision NULL,
    ADD COLUMN longitude double precision NULL,
    ADD COLUMN location_reliable boolean NULL,
    ADD COLUMN application_id text NULL,
    ADD COLUMN application_name text NULL;

-- Unfiltered pages read ix_events_ingress and ix_events_admin (migration 2) in sequence order. A time range reads
-- this one (the planner picks it when the range is narrow) and the location counts scan it.
CREATE INDEX IF NOT EXISTS ix_events_history_time ON events (source_id, kind, event_time) WHERE kind > 0;
-- A user's sign-ins, or the changes they made, in sequence order.
CREATE INDEX IF NOT EXISTS ix_events_history_user ON events (source_id, kind, user_key, sequence) WHERE kind > 0 AND user_key IS NOT NULL;
-- The changes made to a user (or to a group, a role, a site: any target), in sequence order.
CREATE INDEX IF NOT EXISTS ix_events_history_target ON events (source_id, target_key, sequence) WHERE kind = 2 AND target_key IS NOT NULL;
-- An address or a network: "client_ip <<= network" becomes a range of this index.
CREATE INDEX IF NOT EXISTS ix_events_history_address ON events (source_id, kind, client_ip) WHERE kind > 0 AND client_ip IS NOT NULL;
-- Admin changes by action, in sequence order.
CREATE INDEX IF NOT EXISTS ix_events_history_action ON events (source_id, action, sequence) WHERE kind = 2;
