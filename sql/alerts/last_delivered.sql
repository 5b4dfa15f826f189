-- The last messages delivered on the routes given (a list; null: any route), newest first, ? of
-- them, one row per story and topic they carried.
with sent as (
    select * from alerts
    where
        status = 'sent'
        and message_key is not null
        and (?::varchar [] is null or list_contains(?::varchar [], route))  -- noqa: PRS
),

messages as (
    select
        route,
        message_key,
        max(sent_at) as sent_at
    from sent
    group by route, message_key
    order by sent_at desc
    limit ?  -- noqa: PRS
)

select
    messages.sent_at,
    messages.route,
    messages.message_key,
    sent.delivery,
    sent.kind,
    sent.story_cluster_id,
    sent.topic
from messages
inner join sent on messages.route = sent.route and messages.message_key = sent.message_key
order by messages.sent_at desc, messages.route, sent.story_cluster_id, sent.topic
