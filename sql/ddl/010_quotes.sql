-- Direct quotes with their speaker resolved to a canonical entity where possible.
create table if not exists quotes (
    quote_id varchar primary key,        -- article_id || start offset
    article_id varchar not null,
    speaker varchar,
    speaker_entity_id varchar,
    text varchar not null,
    start_char integer not null,
    end_char integer not null
);
