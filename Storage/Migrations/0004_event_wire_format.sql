-- Migration 4: events are stored in the gRPC wire format. An event's row holds the protobuf encoding of the messages
-- the streams send (protos/o365activity/v1/activity.proto), split into the parts they share: header (the
-- RecordHeader without its sequence), raw (the RawRecord's other fields but raw_json), activity (the IngressEvent's or
-- AdminEvent's other fields but raw_json; NULL for records of neither kind), and raw_json, the record as received.
-- The gateway sends a stored event by writing these parts with the sequence, without decoding them.
--
-- Rows of pre-release builds held Orleans-serialized payloads, which no build reads any more. No release stored
-- events in that form, so this migration removes them with the progress that produced them: those sources keep their
-- registry rows and collect again what the API still holds (7 days), numbered from 1.
TRUNCATE events, processed_blobs, content_cursors;
UPDATE event_sources SET last_sequence = 0 WHERE last_sequence <> 0;
ALTER TABLE events ADD COLUMN header bytea NOT NULL;
