-- Migration 9: sign-ins by location, rolled up by day, so that a locations map over weeks reads a few rows per user,
-- place and day instead of every sign-in. Written in the commit's transaction from the sign-ins it stored (so a record
-- stored once counts once); ListLocations reads the whole UTC days of its range here and the parts of days at its
-- edges from the events. location_key names the place (its fields joined), or '~unreliable' (federated users) or
-- '~unlocated' (no known location), whose rows have no user. Retention deletes the days before its cut-off.
CREATE TABLE IF NOT EXISTS location_days (
    source_id uuid NOT NULL,
    day date NOT NULL,
    location_key text NOT NULL,
    user_key text NOT NULL,
    country_code text NULL,
    country_name text NULL,
    region text NULL,
    city text NULL,
    latitude double precision NULL,
    longitude double precision NULL,
    successes integer NOT NULL,
    failures integer NOT NULL,
    interrupted integer NOT NULL,
    total integer NOT NULL,
    PRIMARY KEY (source_id, day, location_key, user_key)
) WITH (fillfactor = 80);
