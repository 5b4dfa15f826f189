-- The sha256 of each applied migration file (pipeline/warehouse/migrate.py): a file changed after
-- it was applied fails the next run, naming it. Rows applied before this column get their file's
-- checksum on the first run that knows it.
alter table schema_migrations add column if not exists checksum varchar;
