insert into fact_mentions (fact_id, article_id, status, evidence_text, start_char, end_char, amount_text, seen_at)
select fact_id, article_id, status, evidence_text, start_char, end_char, amount_text, seen_at
from incoming_fact_mentions
on conflict do nothing;
