-- Migration 2: the event store. Everything that grows with records lives here, not in grain state (DESIGN.md
-- decisions 3, 4 and 5). A tenant's event source has an incarnation, its source id: deleting and re-creating a source
-- gives a new source id, so the new source starts at sequence 1 and never sees the old one's rows.

-- One row per event source: the registry behind ListEventSources, the write fence of the single writer (last_sequence
-- moves only from the value its writer read), and where the source's grain was last activated (failover).
CREATE TABLE IF NOT EXISTS event_sources (
    tenant_id uuid NOT NULL PRIMARY KEY,
    source_id uuid NOT NULL UNIQUE,
    display_name text NOT NULL,
    created_at timestamptz NOT NULL,
    last_sequence bigint NOT NULL DEFAULT 0,
    host_silo text NULL,
    host_since timestamptz NULL
);

-- Sources deleted whose events the retention job has not removed yet.
CREATE TABLE IF NOT EXISTS deleted_sources (
    source_id uuid NOT NULL PRIMARY KEY,
    tenant_id uuid NOT NULL,
    deleted_at timestamptz NOT NULL
);

-- Per source and content type: the listing cursor (end of the last listing window fully processed, UTC) and when the
-- content type was last polled.
CREATE TABLE IF NOT EXISTS content_cursors (
    source_id uuid NOT NULL,
    content_type text NOT NULL,
    listed_through timestamptz NULL,
    polled_at timestamptz NULL,
    PRIMARY KEY (source_id, content_type)
);

-- Content blobs fully processed (every record stored, or the blob lost for good: outcome 1), kept for the dedupe
-- horizon after contentCreated so that re-listed blobs are not fetched again (case LATE1, DUP3).
CREATE TABLE IF NOT EXISTS processed_blobs (
    source_id uuid NOT NULL,
    content_id text NOT NULL,
    content_type text NOT NULL,
    content_created timestamptz NOT NULL,
    processed_at timestamptz NOT NULL,
    outcome smallint NOT NULL,
    PRIMARY KEY (source_id, content_id)
);

CREATE INDEX IF NOT EXISTS ix_processed_blobs_created ON processed_blobs (content_created);

-- The events: one row per distinct audit record of a source, numbered 1, 2, 3... with no gap. record_key is the
-- de-duplication key of the record's Id: the Id itself when it is a GUID (in any letter case), else the first 16 bytes
-- of the SHA-256 of its lower-case text. kind: 0 raw record only, 1 ingress activity, 2 admin activity. raw and
-- activity hold the Orleans-serialized RawRecord and IngressEvent or AdminEvent without their raw JSON, which is
-- stored once, as received, in raw_json. stored_at is when the event's commit began (UTC); it only grows within a
-- source, so a time maps to a sequence by binary search on the primary key.
CREATE TABLE IF NOT EXISTS events (
    source_id uuid NOT NULL,
    sequence bigint NOT NULL,
    record_key uuid NOT NULL,
    kind smallint NOT NULL,
    tenant_id uuid NOT NULL,
    content_type text NULL,
    record_type integer NOT NULL,
    operation text NOT NULL,
    event_time timestamptz NOT NULL,
    ingest_time timestamptz NOT NULL,
    stored_at timestamptz NOT NULL,
    raw bytea NOT NULL,
    activity bytea NULL,
    raw_json text NOT NULL,
    PRIMARY KEY (source_id, sequence),
    CONSTRAINT ux_events_record UNIQUE (source_id, record_key)
);

-- The ingress and admin streams read their kind in sequence order; raw-only records (most of a busy tenant's volume)
-- get no entry.
CREATE INDEX IF NOT EXISTS ix_events_ingress ON events (source_id, sequence) WHERE kind = 1;
CREATE INDEX IF NOT EXISTS ix_events_admin ON events (source_id, sequence) WHERE kind = 2;

-- lz4 compresses the JSON and the payloads that exceed a TOAST page faster than the default pglz; servers built
-- without lz4 (or before PostgreSQL 14) keep the default.
DO $$
BEGIN
    ALTER TABLE events ALTER COLUMN raw_json SET COMPRESSION lz4, ALTER COLUMN raw SET COMPRESSION lz4, ALTER COLUMN activity SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'lz4 compression is not available (%); events use the default compression', SQLERRM;
END $$;
