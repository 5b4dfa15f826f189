insert into entities (entity_id, name, type, aliases, first_seen_at)
select
    entity_id,
    any_value(name) as name,
    any_value(type) as type,
    any_value(aliases) as aliases,
    any_value(load_context.loaded_at) as first_seen_at
from incoming_mentions, load_context
group by entity_id
on conflict (entity_id) do nothing;
