-- Delivery state of the alerts ledger (pipeline/alerts.py documents the write order):
--   kind            new | update (a story that gained a significant fact)
--   delivery        immediate | digest (a digest message carries many rows)
--   message_key     idempotency key of the message the row was last claimed for; every channel
--                   receives it, so a resend after a crash can be recognised as the same message
--   last_attempt_at, next_attempt_at: exponential backoff after a failed send
--   channels_done   ids of the route's channels that accepted message_key (a URL's id is a hash)
--   facts_claimed, facts_sent: 'fact_id:status' keys in the message being sent / already sent
alter table alerts add column if not exists kind varchar;
alter table alerts add column if not exists delivery varchar;
alter table alerts add column if not exists message_key varchar;
alter table alerts add column if not exists last_attempt_at timestamptz;
alter table alerts add column if not exists next_attempt_at timestamptz;
alter table alerts add column if not exists channels_done varchar[];
alter table alerts add column if not exists facts_claimed varchar[];
alter table alerts add column if not exists facts_sent varchar[];
