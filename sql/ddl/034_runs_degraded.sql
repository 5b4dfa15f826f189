-- A run is degraded when it wanted pages and fetched none (every article host down, or every page
-- failed or deferred): it still loads and succeeds, but the operator must hear about it (the load's
-- WARNING, the asset event's extra, the maintenance notice through sql/maintenance/run_problems.sql).
alter table runs add column if not exists degraded boolean default false;
