-- Analysts' relevance marks: "this story is (not) relevant to this topic", from `newswatch feedback` or
-- the News monitor page. Neither writes the warehouse: each mark is queued as a file under
-- <data dir>/feedback/queue/ and the next load inserts it here (pipeline/warehouse/feedback.py).
-- mark_id is the queued file's own id, so loading a file again (a crash before it was archived)
-- inserts nothing twice. The latest mark per article and topic is the one training uses.
create table if not exists relevance_feedback (
    mark_id varchar primary key,         -- sha256 of the queued mark, [:32]
    article_id varchar not null,         -- articles.article_id
    topic varchar not null,              -- a topic of config/topics.yaml
    is_relevant boolean not null,        -- the analyst's verdict
    marked_by varchar not null,          -- who: --by, or the Airflow user of the monitor page
    marked_at timestamptz not null,      -- when the analyst marked it
    note varchar,
    source varchar not null,             -- cli | monitor
    classifier_version varchar,          -- the classification it corrected (null: never classified)
    classifier_score double,             -- that classification's score and verdict
    classifier_relevant boolean,
    loaded_at timestamptz not null,
    run_id varchar not null              -- the load that wrote it
);
