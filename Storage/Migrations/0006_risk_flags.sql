-- Migration 6: sign-in risk flags. Each sign-in's flags are computed when it is collected, from the sign-ins of its
-- source collected before it, and stored in its encoded event (IngressEvent.risk_flags); risk_flags holds their kinds
-- (bit 1 << RiskFlagKind) for the "flagged sign-ins" queries. The history the flags are computed from is kept per
-- user and per client address in sign_in_profiles (key "u:" + user or "a:" + address; the JSON of
-- Grains/Risk/SignInProfile.cs), written in the same transaction as the events it has seen, so that it never runs
-- ahead of or behind them.
ALTER TABLE events ADD COLUMN risk_flags smallint NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS ix_events_history_flagged ON events (source_id, sequence) WHERE kind = 1 AND risk_flags <> 0;

CREATE TABLE IF NOT EXISTS sign_in_profiles (
    source_id uuid NOT NULL,
    profile_key text NOT NULL,
    profile jsonb NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (source_id, profile_key)
);

-- The time index of migration 5 again, covering what the list and count queries read besides the time: a page of a
-- time range is found in the index alone (its sequences sorted, then only the page's rows read), and the location
-- counts' "the rest" too.
DROP INDEX IF EXISTS ix_events_history_time;
CREATE INDEX IF NOT EXISTS ix_events_history_time ON events (source_id, kind, event_time) INCLUDE (sequence, result, risk_flags, location_reliable) WHERE kind > 0;
-- ListLocations reads the located, reliable sign-ins of a time range from this index alone.
CREATE INDEX IF NOT EXISTS ix_events_history_locations ON events (source_id, event_time)
    INCLUDE (country_code, country_name, region, city, latitude, longitude, result, user_key)
    WHERE kind = 1 AND location_reliable AND (country_code IS NOT NULL OR latitude IS NOT NULL);
