-- Adaptive polling: each feed's typical gap between entries drives its next due time and
-- tells a stalled feed (silent for many of its own gaps) from a slow one.
alter table feeds add column if not exists median_gap_minutes double;
