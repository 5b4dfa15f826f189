-- One row per distinct commitment with a figure: sum this, not fct_facts, to add money up.
-- fct_facts already keeps one fact per (type, figure, countries/organisations); this view also
-- merges facts whose figures agree in US dollars to two significant digits (the same pledge reported
-- in yen and in dollars) between the same parties, so a pledge counts once however it was reported.
create or replace view fct_commitments as
with people as (
    select coalesce(list(distinct name), []) as names from entities where type = 'PERSON'
),

priced as (
    select
        fct_facts.*,
        list_sort(coalesce(
            nullif(list_filter(fct_facts.participants, lambda p: not list_contains(people.names, p)), []),
            fct_facts.participants
        )) as parties,
        case status
            when 'happened' then 3 when 'cancelled' then 3 when 'denied' then 3
            when 'announced' then 2
            else 1
        end as status_rank,
        cast(round(amount_usd, 1 - cast(floor(log10(amount_usd)) as integer)) as double) as usd_key
    from fct_facts, people
    where amount_usd is not null and amount_usd > 0
),

final as (
    select
        min(fact_id) as commitment_id,
        event_type,
        parties,
        arg_max(status, status_rank) as status,
        arg_max(amount_usd, count_mentions) as amount_usd,
        arg_max(amount_value, count_mentions) as amount_value,
        arg_max(amount_currency, count_mentions) as amount_currency,
        min(due_date) as due_date,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        cast(sum(count_mentions) as integer) as count_mentions,
        count(*) as count_facts,
        arg_min(first_article_id, first_seen_at) as opening_article_id,
        arg_min(first_url, first_seen_at) as opening_url,
        arg_max(subject, count_mentions) as subject,
        arg_min(evidence_text, first_seen_at) as evidence_text,
        list_sort(list(fact_id)) as fact_ids
    from priced
    group by event_type, parties, usd_key
)

select * from final;
