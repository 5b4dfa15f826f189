-- Fold the write-ahead log into the database file, so the snapshot copy is complete and small.
checkpoint;
