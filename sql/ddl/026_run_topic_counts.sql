-- New relevant articles per run and topic: one row per topic the run's classifications name, so
-- a topic added to config/topics.yaml is counted with no code and no migration. It replaces the
-- runs columns count_relevant_us_japan and count_relevant_rare_earths (sql/ddl/013), whose values
-- move here; sql/ddl/027 drops them.
create table if not exists run_topic_counts (
    run_id varchar not null,             -- runs.run_id
    topic varchar not null,              -- a topic of config/topics.yaml
    count_relevant integer not null,     -- new articles of the run relevant to the topic
    primary key (run_id, topic)
);

insert into run_topic_counts (run_id, topic, count_relevant)
select
    run_id,
    'us_japan' as topic,
    count_relevant_us_japan as count_relevant
from runs
where count_relevant_us_japan is not null
union all
select
    run_id,
    'rare_earths' as topic,
    count_relevant_rare_earths as count_relevant
from runs
where count_relevant_rare_earths is not null
on conflict do nothing;
