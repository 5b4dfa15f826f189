-- Curated identifiers (config/entities.yaml, registered by the loader as incoming_entity_ids): the
-- Wikidata QID of gazetteer entities, and the minerals (type MINERAL) with their element symbol and
-- HS code. A mineral is a row of its own; an entity no article mentioned yet gets its ids when it is.
insert into entities (entity_id, name, type, aliases, first_seen_at, wikidata_qid, element_symbol, hs_code)
select
    ids.entity_id,
    ids.name,
    ids.type,
    [] as aliases,
    load_context.loaded_at as first_seen_at,
    ids.wikidata_qid,
    ids.element_symbol,
    ids.hs_code
from incoming_entity_ids as ids, load_context
where ids.type = 'MINERAL'
on conflict (entity_id) do nothing;

update entities
set
    wikidata_qid = ids.wikidata_qid,
    element_symbol = ids.element_symbol,
    hs_code = ids.hs_code
from incoming_entity_ids as ids
where
    entities.entity_id = ids.entity_id
    and (
        entities.wikidata_qid is distinct from ids.wikidata_qid
        or entities.element_symbol is distinct from ids.element_symbol
        or entities.hs_code is distinct from ids.hs_code
    );
