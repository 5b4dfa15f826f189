insert into amounts (article_id, start_char, value, currency, text, end_char)
select article_id, start_char, value, currency, text, end_char
from incoming_amounts
on conflict do nothing;
