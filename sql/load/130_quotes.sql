insert into quotes (quote_id, article_id, speaker, speaker_entity_id, text, start_char, end_char)
select quote_id, article_id, speaker, speaker_entity_id, text, start_char, end_char
from incoming_quotes
on conflict (quote_id) do nothing;
