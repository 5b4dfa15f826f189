-- Article x topic relevance, with the evidence that decided it.
create table if not exists classifications (
    article_id varchar not null,
    topic varchar not null,
    score double not null,               -- 0..1
    is_relevant boolean not null,
    evidence json,                       -- [{text, start, end, field, terms}]
    classifier_version varchar not null,
    classified_at timestamptz not null,
    primary key (article_id, topic)
);
