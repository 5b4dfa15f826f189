-- Revisions of a story (sql/ddl/040): a stored article whose text this run changed (a page fetched
-- again after its feed entry changed, or re-extracted) keeps its earlier text as a version beside
-- the new one, before sql/load/040 overwrites it; 101 compares their facts.
create or replace temp table load_article_changes as
select
    incoming.article_id,
    stored.text_hash as old_text_hash,
    incoming.text_hash as new_text_hash
from load_articles as incoming
inner join articles as stored using (article_id)
where
    not incoming.is_new
    and stored.text_hash is not null
    and incoming.text_hash is not null
    and stored.text_hash <> incoming.text_hash
    and stored.last_run_id <> (select run_id from load_context);

insert into article_versions (
    article_id, text_hash, title, text, extractor_version, seen_at, run_id, previous_text_hash, fact_changes
)
select
    stored.article_id,
    stored.text_hash,
    stored.title,
    stored.text,
    stored.extractor_version,
    stored.updated_at as seen_at,
    stored.last_run_id as run_id,
    null as previous_text_hash,
    [] as fact_changes
from articles as stored
where stored.article_id in (select article_id from load_article_changes)
on conflict do nothing;

insert into article_versions (
    article_id, text_hash, title, text, extractor_version, seen_at, run_id, previous_text_hash, fact_changes
)
select
    incoming.article_id,
    incoming.text_hash,
    incoming.title,
    incoming.text,
    incoming.extractor_version,
    load_context.loaded_at as seen_at,
    load_context.run_id,
    changes.old_text_hash as previous_text_hash,
    [] as fact_changes
from load_articles as incoming
inner join load_article_changes as changes using (article_id)
cross join load_context
on conflict do nothing;
