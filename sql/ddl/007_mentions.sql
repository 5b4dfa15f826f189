-- Where each entity is mentioned: article and character span into articles.text.
create table if not exists mentions (
    article_id varchar not null,
    entity_id varchar not null,
    start_char integer not null,
    end_char integer not null,
    text varchar,
    primary key (article_id, entity_id, start_char)
);
