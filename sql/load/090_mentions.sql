-- An article whose text changed (a page fetched on retry) keeps no stale spans.
delete from mentions
where
    (select facts_staged from load_context)
    and article_id in (select article_id from load_articles where not is_new)
    and (article_id, entity_id, start_char) not in (
        select (article_id, entity_id, start_char) from incoming_mentions
    );

insert into mentions (article_id, entity_id, start_char, end_char, text)
select article_id, entity_id, start_char, end_char, text
from incoming_mentions
on conflict do nothing;
