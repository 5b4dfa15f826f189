-- The facts ledger: each event once, with its status, how many articles and sources reported
-- it, one evidence sentence, the amount in US dollars where fx_rates has the currency, and its
-- follow-up (if it is a commitment being tracked).
create or replace view fct_facts as
with evidence as (
    select
        fact_id,
        arg_min(evidence_text, seen_at) as evidence_text
    from fact_mentions
    group by fact_id
),

reports as (
    select
        fact_mentions.fact_id,
        count(distinct fact_mentions.article_id) as count_articles,
        count(distinct articles.source_domain) as count_sources,
        list_sort(list(distinct articles.source_domain)) as sources
    from fact_mentions
    inner join articles using (article_id)
    group by fact_mentions.fact_id
),

dated_facts as (
    select
        *,
        coalesce(event_date, cast(timezone('UTC', first_seen_at) as date)) as rate_day
    from facts
),

-- The latest rate on or before the fact's date; a fact older than every rate gets the earliest.
rate_as_of as (
    select
        dated_facts.fact_id,
        fx_rates.usd_per_unit,
        fx_rates.as_of
    from dated_facts
    asof inner join fx_rates
        on
            dated_facts.amount_currency = fx_rates.currency
            and dated_facts.rate_day >= fx_rates.as_of
),

earliest_rate as (
    select
        currency,
        arg_min(usd_per_unit, as_of) as usd_per_unit,
        min(as_of) as as_of
    from fx_rates
    group by currency
),

final as (
    select
        facts.fact_id,
        facts.event_type,
        facts.status,
        facts.event_date,
        facts.participants,
        facts.amount_value,
        facts.amount_currency,
        facts.amount_is_part,
        facts.percent,
        facts.subject,
        facts.count_mentions,
        facts.first_seen_at,
        facts.last_seen_at,
        evidence.evidence_text,
        facts.first_article_id,
        facts.amount_value * coalesce(rate_as_of.usd_per_unit, earliest_rate.usd_per_unit) as amount_usd,
        coalesce(rate_as_of.usd_per_unit, earliest_rate.usd_per_unit) as fx_usd_per_unit,
        coalesce(rate_as_of.as_of, earliest_rate.as_of) as fx_as_of,
        coalesce(reports.count_articles, 0) as count_articles,
        coalesce(reports.count_sources, 0) as count_sources,
        coalesce(reports.sources, []) as sources,
        first_article.canonical_url as first_url,
        followups.status as followup_status,
        followups.due_date
    from facts
    left join evidence using (fact_id)
    left join reports using (fact_id)
    left join rate_as_of using (fact_id)
    left join earliest_rate on facts.amount_currency = earliest_rate.currency
    left join articles as first_article on facts.first_article_id = first_article.article_id
    left join followups using (fact_id)
)

select * from final;
