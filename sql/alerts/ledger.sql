-- The delivery ledger of one route (the caller adds the route filter).
select
    story_cluster_id, topic, route, status, attempts, kind, delivery, message_key, next_attempt_at,
    coalesce(channels_done, []) as channels_done, facts_sent, sent_at
from alerts
