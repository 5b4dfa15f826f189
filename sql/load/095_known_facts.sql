-- Remember which facts existed before this load, to count the new ones.
create or replace temp table load_known_facts as
select fact_id from facts
where fact_id in (select fact_id from incoming_fact_mentions);
