-- Quotes and amounts of an article processed again follow its new text.
delete from quotes
where
    (select facts_staged from load_context)
    and article_id in (select article_id from load_articles where not is_new)
    and quote_id not in (select quote_id from incoming_quotes);

delete from amounts
where
    (select facts_staged from load_context)
    and article_id in (select article_id from load_articles where not is_new)
    and (article_id, start_char) not in (select (article_id, start_char) from incoming_amounts);
