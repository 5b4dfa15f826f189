-- The per-topic counts live in run_topic_counts now (sql/ddl/026 moved their values there).
alter table runs drop column if exists count_relevant_us_japan;
alter table runs drop column if exists count_relevant_rare_earths;
