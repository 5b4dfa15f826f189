-- Per-item failures of a run (issue 16): items the containment boundary recorded and skipped (an entry
-- whose link cannot be made canonical, a page the extractor choked on, an article facts could not read),
-- and items stored with text that could not be encoded replaced by U+FFFD (flagged text_replaced in
-- fetch_log). Both were in runs.counts only; as columns they can be summed and alerted on.
alter table runs add column if not exists count_items_failed integer default 0;
alter table runs add column if not exists count_items_text_replaced integer default 0;
