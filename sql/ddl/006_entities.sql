-- Canonical entities (people, organisations, places, facilities).
create table if not exists entities (
    entity_id varchar primary key,       -- sha256(type || name)[:16]
    name varchar not null,
    type varchar not null,               -- PERSON | ORG | GPE | FAC
    aliases varchar[],
    first_seen_at timestamptz not null
);
