-- Every normalised amount of money mentioned in an article.
create table if not exists amounts (
    article_id varchar not null,
    start_char integer not null,
    value double not null,
    currency varchar not null,           -- ISO 4217
    text varchar,
    end_char integer,
    primary key (article_id, start_char)
);
