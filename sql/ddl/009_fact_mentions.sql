-- Each report of a fact: the article, the status it reported and its evidence sentence.
create table if not exists fact_mentions (
    fact_id varchar not null,
    article_id varchar not null,
    status varchar not null,
    evidence_text varchar,
    start_char integer not null,
    end_char integer,
    amount_text varchar,
    seen_at timestamptz not null,
    primary key (fact_id, article_id, start_char)
);
