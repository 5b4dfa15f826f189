-- Recount facts that lost a report above; a fact no article reports any more goes, with its follow-up.
update facts
set count_mentions = coalesce(counted.n, 0)
from (
    select facts.fact_id, count(fact_mentions.fact_id) as n
    from facts
    left join fact_mentions using (fact_id)
    where facts.fact_id in (select fact_id from load_stale_facts)
    group by facts.fact_id
) as counted
where facts.fact_id = counted.fact_id and facts.count_mentions <> coalesce(counted.n, 0);

delete from followups
where fact_id in (select fact_id from facts where count_mentions = 0);

delete from facts
where count_mentions = 0;
