-- Migration 8: sign-in profiles are kept as JSON text. They are written with every batch of sign-ins (a few hundred
-- rows per commit) and only ever read whole by the collector: text costs the database no parsing on the way in or out.
ALTER TABLE sign_in_profiles ALTER COLUMN profile TYPE text;
-- Each commit rewrites the profiles of its users: room in each page lets the new version stay on its page without a
-- new index entry (a heap-only update).
ALTER TABLE sign_in_profiles SET (fillfactor = 70);
