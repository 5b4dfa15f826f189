-- One row per distinct commitment with a figure: sum this, not fct_facts, to add money up.
-- fct_facts keeps one fact per (type, figure, participants); one pledge is often several of them (reported
-- in yen and in dollars, rounded, or with one more party named). Two facts are mentions of one pledge when
-- they have the same event type, their US-dollar figures agree within 5%, and the parties of one contain
-- the other's; the chains merge transitively. A figure that is part of a larger one (amount_is_part:
-- "the first tranche ... worth $36 billion") is left out, since the whole is counted.
create or replace view fct_commitments as
with recursive people as (
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
        end as status_rank
    from fct_facts, people
    where amount_usd is not null and amount_usd > 0 and not coalesce(amount_is_part, false)
),

-- Pairs of facts that report one pledge, both ways round.
same_pledge as (
    select
        a.fact_id as fact_a,
        b.fact_id as fact_b
    from priced as a
    inner join priced as b
        on
            a.event_type = b.event_type
            and a.fact_id <> b.fact_id
            and abs(a.amount_usd - b.amount_usd) <= 0.05 * greatest(a.amount_usd, b.amount_usd)
            and (list_has_all(a.parties, b.parties) or list_has_all(b.parties, a.parties))
),

-- Every fact reachable from each fact through such pairs; a pledge is named by its smallest fact id.
reachable (fact_id, member) as (
    select fact_id, fact_id as member from priced
    union
    select reachable.fact_id, same_pledge.fact_b
    from reachable
    inner join same_pledge on reachable.member = same_pledge.fact_a
),

pledges as (
    select
        member as fact_id,
        min(fact_id) as commitment_id
    from reachable
    group by member
),

final as (
    select
        pledges.commitment_id,
        any_value(priced.event_type) as event_type,
        list_sort(list_distinct(flatten(list(priced.parties)))) as parties,
        arg_max(priced.status, priced.status_rank) as status,
        list_sort(list(distinct priced.status)) as statuses,
        arg_max(priced.amount_usd, priced.count_mentions) as amount_usd,
        arg_max(priced.amount_value, priced.count_mentions) as amount_value,
        arg_max(priced.amount_currency, priced.count_mentions) as amount_currency,
        min(priced.due_date) as due_date,
        count(*) filter (where priced.followup_status in ('open', 'overdue')) as count_open_followups,
        min(priced.first_seen_at) as first_seen_at,
        max(priced.last_seen_at) as last_seen_at,
        cast(sum(priced.count_mentions) as integer) as count_mentions,
        count(*) as count_facts,
        arg_min(priced.first_article_id, priced.first_seen_at) as opening_article_id,
        arg_min(priced.first_url, priced.first_seen_at) as opening_url,
        arg_max(priced.subject, priced.count_mentions) as subject,
        arg_min(priced.evidence_text, priced.first_seen_at) as evidence_text,
        list_sort(list(priced.fact_id)) as fact_ids
    from priced
    inner join pledges using (fact_id)
    group by pledges.commitment_id
)

select * from final;
