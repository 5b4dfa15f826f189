-- Disagreements across sources (sql/ddl/039). Two reports, in two articles, of one real-world fact:
--   amount: same event type, parties and currency, dates equal or one missing, amounts more than 2%
--           apart (so rounding, $550 billion vs $549.7 billion, is no dispute) and less than 2x
--           (a different commitment, not another figure for this one), reported within 30 days;
--   date:   same event type and parties, no amount or the same one, dates 1 to 7 days apart,
--           reported within 7 days;
--   status: one fact reported as happened by one article and cancelled or denied by another.
-- Parties are the people of a meeting with two or more (outlets differ in which countries they
-- name), the countries of any other event (outlets differ in which officials they name), else every
-- participant.
-- A new pair is recorded once, the earlier report as side a; an open dispute is resolved when
-- the reports after both sides agree with one side only, or one side's reports are all gone.
create or replace temp table load_conflict_mentions as
with people as (
    select name from entities where type = 'PERSON'
),

places as (
    select name from entities where type = 'GPE'
),

reports as (
    select
        fact_mentions.fact_id,
        fact_mentions.article_id,
        fact_mentions.status,
        fact_mentions.evidence_text,
        fact_mentions.amount_text,
        fact_mentions.seen_at,
        facts.event_type,
        facts.event_date,
        facts.amount_value,
        facts.amount_currency,
        facts.participants,
        coalesce(articles.feed_name, articles.source_domain) as source,
        list_sort(list_intersect(facts.participants, (select coalesce(list(name), []) from people))) as persons,
        list_sort(list_intersect(facts.participants, (select coalesce(list(name), []) from places))) as countries
    from fact_mentions
    inner join facts using (fact_id)
    inner join articles using (article_id)
)

select
    * exclude (persons, countries),
    case
        when event_type = 'meeting' and len(persons) >= 2 then persons
        when event_type <> 'meeting' and len(countries) >= 1 then countries
        else list_sort(participants)
    end as parties
from reports;

create or replace temp table load_conflict_pairs as
with pairs as (
    select
        'amount' as kind,
        a.event_type,
        a.parties,
        a.amount_currency as currency,
        a.amount_value as number_a,
        b.amount_value as number_b,
        a.fact_id as fact_id_a,
        b.fact_id as fact_id_b,
        a.article_id as article_id_a,
        b.article_id as article_id_b,
        coalesce(a.amount_text, format('{:,.0f} {}', a.amount_value, a.amount_currency)) as value_a,
        coalesce(b.amount_text, format('{:,.0f} {}', b.amount_value, b.amount_currency)) as value_b,
        a.source as source_a,
        b.source as source_b,
        a.evidence_text as evidence_a,
        b.evidence_text as evidence_b,
        a.seen_at as reported_at_a,
        b.seen_at as reported_at_b
    from load_conflict_mentions as a
    inner join load_conflict_mentions as b
        on
            a.event_type = b.event_type
            and a.parties = b.parties
            and a.amount_currency = b.amount_currency
            and a.fact_id <> b.fact_id
            and a.article_id <> b.article_id
    where
        (a.event_date = b.event_date or a.event_date is null or b.event_date is null)
        and abs(a.amount_value - b.amount_value) > 0.02 * greatest(a.amount_value, b.amount_value)
        and least(a.amount_value, b.amount_value) * 2 >= greatest(a.amount_value, b.amount_value)
        and abs(date_diff('day', a.seen_at, b.seen_at)) <= 30
        and (a.seen_at, a.article_id) < (b.seen_at, b.article_id)

    union all

    select
        'date' as kind,
        a.event_type,
        a.parties,
        null as currency,
        date_diff('day', date '1970-01-01', a.event_date) as number_a,
        date_diff('day', date '1970-01-01', b.event_date) as number_b,
        a.fact_id as fact_id_a,
        b.fact_id as fact_id_b,
        a.article_id as article_id_a,
        b.article_id as article_id_b,
        strftime(a.event_date, '%Y-%m-%d') as value_a,
        strftime(b.event_date, '%Y-%m-%d') as value_b,
        a.source as source_a,
        b.source as source_b,
        a.evidence_text as evidence_a,
        b.evidence_text as evidence_b,
        a.seen_at as reported_at_a,
        b.seen_at as reported_at_b
    from load_conflict_mentions as a
    inner join load_conflict_mentions as b
        on
            a.event_type = b.event_type
            and a.parties = b.parties
            and a.fact_id <> b.fact_id
            and a.article_id <> b.article_id
    where
        a.event_date <> b.event_date
        and abs(a.event_date - b.event_date) <= 7
        and a.amount_value is not distinct from b.amount_value
        and abs(date_diff('day', a.seen_at, b.seen_at)) <= 7
        and (a.seen_at, a.article_id) < (b.seen_at, b.article_id)

    union all

    select
        'status' as kind,
        a.event_type,
        a.parties,
        null as currency,
        null as number_a,
        null as number_b,
        a.fact_id as fact_id_a,
        b.fact_id as fact_id_b,
        a.article_id as article_id_a,
        b.article_id as article_id_b,
        a.status as value_a,
        b.status as value_b,
        a.source as source_a,
        b.source as source_b,
        a.evidence_text as evidence_a,
        b.evidence_text as evidence_b,
        a.seen_at as reported_at_a,
        b.seen_at as reported_at_b
    from load_conflict_mentions as a
    inner join load_conflict_mentions as b
        on a.fact_id = b.fact_id and a.article_id <> b.article_id
    where
        ((a.status = 'happened') <> (b.status = 'happened'))
        and a.status in ('happened', 'cancelled', 'denied')
        and b.status in ('happened', 'cancelled', 'denied')
        and (a.seen_at, a.article_id) < (b.seen_at, b.article_id)
),

-- A dispute is keyed by what it is about and the two figures (rounded to two significant digits),
-- so a third report of either figure joins it rather than opening another.
keyed as (
    select
        *,
        substr(sha256(concat_ws(
            '|', kind, event_type, list_sort(parties)::varchar, currency,
            case when kind = 'status' then fact_id_a end,
            least(coalesce(format('{:.2g}', number_a), value_a), coalesce(format('{:.2g}', number_b), value_b)),
            greatest(coalesce(format('{:.2g}', number_a), value_a), coalesce(format('{:.2g}', number_b), value_b))
        )), 1, 16) as conflict_id
    from pairs
)

-- One row per dispute: its earliest pair of reports.
select distinct on (conflict_id) *
from keyed
order by conflict_id, reported_at_b, reported_at_a, article_id_a, article_id_b;

insert into fact_conflicts (
    conflict_id,
    kind,
    event_type,
    parties,
    currency,
    number_a,
    number_b,
    fact_id_a,
    value_a,
    article_id_a,
    source_a,
    evidence_a,
    reported_at_a,
    fact_id_b, value_b, article_id_b, source_b, evidence_b, reported_at_b, first_seen_at, run_id
)
select
    pairs.conflict_id,
    pairs.kind,
    pairs.event_type,
    pairs.parties,
    pairs.currency,
    pairs.number_a,
    pairs.number_b,
    pairs.fact_id_a,
    pairs.value_a,
    pairs.article_id_a,
    pairs.source_a,
    pairs.evidence_a,
    pairs.reported_at_a,
    pairs.fact_id_b,
    pairs.value_b,
    pairs.article_id_b,
    pairs.source_b,
    pairs.evidence_b,
    pairs.reported_at_b,
    load_context.loaded_at as first_seen_at,
    load_context.run_id
from load_conflict_pairs as pairs, load_context
on conflict (conflict_id) do nothing;

-- Reports of each side of an open dispute: all of them, and those after both sides were reported.
create or replace temp table load_conflict_sides as
with dated_reports as (
    select
        *,
        date_diff('day', date '1970-01-01', event_date) as date_number
    from load_conflict_mentions
),

reports as (
    select
        disputes.conflict_id,
        case
            when disputes.kind = 'status'
                then
                    case when (m.status = 'happened') = (disputes.value_a = 'happened') then 'a' else 'b' end
            when disputes.kind = 'date'
                then
                    case m.date_number when disputes.number_a then 'a' when disputes.number_b then 'b' end
            when abs(m.amount_value - disputes.number_a) <= 0.02 * abs(disputes.number_a) then 'a'
            when abs(m.amount_value - disputes.number_b) <= 0.02 * abs(disputes.number_b) then 'b'
        end as side,
        m.article_id,
        m.seen_at
    from fact_conflicts as disputes
    inner join dated_reports as m
        on
            disputes.event_type = m.event_type
            and disputes.parties = m.parties
            and (
                (disputes.kind = 'amount' and disputes.currency = m.amount_currency and m.amount_value is not null)
                or (disputes.kind = 'date' and m.event_date is not null)
                or (
                    disputes.kind = 'status' and disputes.fact_id_a = m.fact_id
                    and m.status in ('happened', 'cancelled', 'denied')
                )
            )
    where disputes.resolved_at is null
),

sides as (
    select
        conflicts.conflict_id,
        count(reports.side) filter (where reports.side = 'a') as count_a,
        count(reports.side) filter (where reports.side = 'b') as count_b,
        count(reports.side) filter (
            where reports.side = 'a' and reports.seen_at > greatest(conflicts.reported_at_a, conflicts.reported_at_b)
        ) as later_a,
        count(reports.side) filter (
            where reports.side = 'b' and reports.seen_at > greatest(conflicts.reported_at_a, conflicts.reported_at_b)
        ) as later_b,
        arg_max(reports.article_id, reports.seen_at) filter (where reports.side = 'a') as latest_a,
        arg_max(reports.article_id, reports.seen_at) filter (where reports.side = 'b') as latest_b
    from fact_conflicts as conflicts
    left join reports using (conflict_id)
    where conflicts.resolved_at is null
    group by conflicts.conflict_id
)

select
    conflict_id,
    latest_a,
    latest_b,
    case
        when count_a > 0 and count_b = 0 then 'a'
        when count_b > 0 and count_a = 0 then 'b'
        when later_a > 0 and later_b = 0 then 'a'
        when later_b > 0 and later_a = 0 then 'b'
    end as winner
from sides;

update fact_conflicts
set
    resolved_at = load_context.loaded_at,
    resolved_value = case sides.winner when 'a' then fact_conflicts.value_a else fact_conflicts.value_b end,
    resolved_article_id = case sides.winner when 'a' then sides.latest_a else sides.latest_b end
from load_conflict_sides as sides, load_context
where fact_conflicts.conflict_id = sides.conflict_id and sides.winner is not null;
