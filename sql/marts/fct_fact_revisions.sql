-- Material changes between two versions of one article (sql/ddl/040 fact_revisions), with the
-- article, its story and outlet: what an edited or corrected story now says in place of what it said.
create or replace view fct_fact_revisions as
select
    revisions.revision_id,
    revisions.article_id,
    articles.story_cluster_id,
    articles.title,
    articles.canonical_url as url,
    coalesce(articles.feed_name, articles.source_domain) as source,
    revisions.event_type,
    revisions.kind,
    revisions.old_value,
    revisions.new_value,
    revisions.old_evidence,
    revisions.new_evidence,
    revisions.old_text_hash,
    revisions.new_text_hash,
    revisions.detected_at
from fact_revisions as revisions
left join articles using (article_id);
