-- Entity identifiers (issue 19), curated offline in config/entities.yaml: a Wikidata QID so analysts
-- can join outside data, and for minerals (type MINERAL) the element symbol and HS code.
alter table entities add column if not exists wikidata_qid varchar;
alter table entities add column if not exists element_symbol varchar;
alter table entities add column if not exists hs_code varchar;
