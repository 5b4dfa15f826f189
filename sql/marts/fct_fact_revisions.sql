-- Material changes between two versions of one article (sql/ddl/040 article_versions.fact_changes),
-- one row per change, with the article, its story and outlet: what an edited or corrected story now
-- says in place of what it said.
create or replace view fct_fact_revisions as
with changes as (
    select
        article_id,
        text_hash as new_text_hash,
        previous_text_hash as old_text_hash,
        seen_at as detected_at,
        unnest(fact_changes) as change
    from article_versions
)

select
    substr(sha256(concat_ws(
        '|', changes.article_id, changes.old_text_hash, changes.new_text_hash, changes.change.event_type,
        changes.change.kind, changes.change.old_value, changes.change.new_value
    )), 1, 16) as revision_id,
    changes.article_id,
    articles.story_cluster_id,
    articles.title,
    articles.canonical_url as url,
    coalesce(articles.feed_name, articles.source_domain) as source,
    articles.published_at,
    changes.change.event_type,
    changes.change.kind,
    changes.change.old_value,
    changes.change.new_value,
    changes.change.old_evidence,
    changes.change.new_evidence,
    changes.old_text_hash,
    changes.new_text_hash,
    changes.detected_at
from changes
left join articles using (article_id);
