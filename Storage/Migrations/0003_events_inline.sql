-- Migration 3: events stay in their table row. An event's row is about 2.5 KB (the record's JSON, about 1.5 KB, and
-- its two encoded payloads), just over PostgreSQL's 2 KB TOAST threshold: by default most rows had their JSON
-- compressed and then moved out of line into the TOAST table (a second heap insert, an OID and a TOAST index entry per
-- event, and a second look-up on every read), which cost a fifth of the database's CPU on the write path. Rows up to a
-- page stay inline and uncompressed; only larger ones are compressed or moved out.
ALTER TABLE events SET (toast_tuple_target = 8160);
