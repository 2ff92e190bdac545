-- Retention (see engine/src/store/retention.rs): the records of instances that ended long ago are
-- removed from the log batches a snapshot covers. From then on the log before that snapshot is
-- history only and cannot rebuild the state: opening needs a snapshot at or after this position.
-- 0: nothing was ever pruned.
ALTER TABLE engine_meta ADD COLUMN pruned_through INTEGER NOT NULL DEFAULT 0;
