-- Step 1 of the write order: claim a message's rows as pending, with its idempotency key.
insert into alerts
    as ledger (
    story_cluster_id, topic, route, status, attempts, queued_at, kind, delivery,
    message_key, last_attempt_at, next_attempt_at, channels_done, facts_claimed
)
values ($1, $2, $3, 'pending', 1, $4, $5, $6, $7, $8, null, [], $9)
on conflict (story_cluster_id, topic, route) do update set
    status = 'pending',
    attempts = case when ledger.status = 'sent' then 1 else ledger.attempts + 1 end,
    kind = excluded.kind,
    delivery = excluded.delivery,
    channels_done = case
        when ledger.message_key = excluded.message_key
            then coalesce(ledger.channels_done, [])
        else []
    end,
    message_key = excluded.message_key,
    last_attempt_at = excluded.last_attempt_at,
    next_attempt_at = null,
    facts_claimed = excluded.facts_claimed
