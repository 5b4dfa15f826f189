-- An article processed again (a page fetched on retry, or `newswatch reprocess`) keeps only the
-- fact reports of its new text; what the old text said is removed, and the facts it touched are
-- remembered so that 115 can recount them.
create or replace temp table load_stale_facts as
select distinct fact_id
from fact_mentions
where
    (select facts_staged from load_context)
    and article_id in (select article_id from load_articles where not is_new)
    and (fact_id, article_id, start_char) not in (
        select (fact_id, article_id, start_char) from incoming_fact_mentions
    );

delete from fact_mentions
where
    (select facts_staged from load_context)
    and article_id in (select article_id from load_articles where not is_new)
    and (fact_id, article_id, start_char) not in (
        select (fact_id, article_id, start_char) from incoming_fact_mentions
    );
