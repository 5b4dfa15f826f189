-- Revisions of a story (sql/ddl/040): for an article whose text changed (sql/load/035), what its
-- earlier text's facts said (its stored reports, before 100 and 102 replace them) against what the
-- new text's say, per event type reported in both. A material change is recorded: an amount, a
-- date or a status the new text gives in place of another (amounts within 2% are the same figure),
-- or a party it adds, listed on the new version (article_versions.fact_changes). A reworded
-- sentence with the same facts records nothing.
create or replace temp table load_revision_reports as
select
    'old' as version,
    fact_mentions.article_id,
    facts.event_type,
    fact_mentions.status,
    facts.event_date,
    facts.amount_value,
    facts.amount_currency,
    coalesce(fact_mentions.amount_text, format('{:,.0f} {}', facts.amount_value, facts.amount_currency)) as amount_text,
    facts.participants,
    fact_mentions.evidence_text
from fact_mentions
inner join facts using (fact_id)
where
    (select facts_staged from load_context)
    and fact_mentions.article_id in (select article_id from load_article_changes)
union all
select
    'new' as version,
    article_id,
    event_type,
    status,
    event_date,
    amount_value,
    amount_currency,
    coalesce(amount_text, format('{:,.0f} {}', amount_value, amount_currency)) as amount_text,
    participants,
    evidence_text
from incoming_fact_mentions
where
    (select facts_staged from load_context)
    and article_id in (select article_id from load_article_changes);

create or replace temp table load_fact_revisions as
with both_versions as (
    select
        article_id,
        event_type
    from load_revision_reports
    group by article_id, event_type
    having count(distinct version) = 2
),

reports as (
    select load_revision_reports.*
    from load_revision_reports
    inner join both_versions using (article_id, event_type)
),

olds as (
    select * from reports
    where version = 'old'
),

news as (
    select * from reports
    where version = 'new'
),

-- Values of one version that the other version does not give, per kind.
amounts_gone as (
    select * from olds
    where
        amount_value is not null
        and not exists (
            select 1 from news
            where
                news.article_id = olds.article_id and news.event_type = olds.event_type
                and news.amount_currency = olds.amount_currency
                and abs(news.amount_value - olds.amount_value) <= 0.02 * greatest(news.amount_value, olds.amount_value)
        )
),

amounts_new as (
    select * from news
    where
        amount_value is not null
        and not exists (
            select 1 from olds
            where
                news.article_id = olds.article_id and news.event_type = olds.event_type
                and news.amount_currency = olds.amount_currency
                and abs(news.amount_value - olds.amount_value) <= 0.02 * greatest(news.amount_value, olds.amount_value)
        )
),

changes as (
    select
        amounts_new.article_id,
        amounts_new.event_type,
        'amount' as kind,
        min(amounts_gone.amount_text) as old_value,
        amounts_new.amount_text as new_value,
        min(amounts_gone.evidence_text) as old_evidence,
        min(amounts_new.evidence_text) as new_evidence
    from amounts_new
    inner join amounts_gone using (article_id, event_type)
    group by amounts_new.article_id, amounts_new.event_type, amounts_new.amount_text

    union all

    select
        news.article_id,
        news.event_type,
        'date' as kind,
        min(strftime(olds.event_date, '%Y-%m-%d')) as old_value,
        strftime(news.event_date, '%Y-%m-%d') as new_value,
        min(olds.evidence_text) as old_evidence,
        min(news.evidence_text) as new_evidence
    from news
    inner join olds using (article_id, event_type)
    where
        news.event_date is not null and olds.event_date is not null
        and news.event_date not in (
            select o.event_date from olds as o
            where o.article_id = news.article_id and o.event_type = news.event_type and o.event_date is not null
        )
        and olds.event_date not in (
            select n.event_date from news as n
            where n.article_id = olds.article_id and n.event_type = olds.event_type and n.event_date is not null
        )
    group by news.article_id, news.event_type, news.event_date

    union all

    select
        news.article_id,
        news.event_type,
        'status' as kind,
        min(olds.status) as old_value,
        news.status as new_value,
        min(olds.evidence_text) as old_evidence,
        min(news.evidence_text) as new_evidence
    from news
    inner join olds using (article_id, event_type)
    where
        news.status not in (
            select o.status from olds as o
            where o.article_id = news.article_id and o.event_type = news.event_type
        )
        and olds.status not in (
            select n.status from news as n
            where n.article_id = olds.article_id and n.event_type = olds.event_type
        )
    group by news.article_id, news.event_type, news.status

    union all

    select
        news.article_id,
        news.event_type,
        'party' as kind,
        null as old_value,
        party.name as new_value,
        null as old_evidence,
        min(news.evidence_text) as new_evidence
    from news, unnest(news.participants) as party (name)
    where
        party.name not in (
            select unnest(o.participants) from olds as o
            where o.article_id = news.article_id and o.event_type = news.event_type
        )
    group by news.article_id, news.event_type, party.name
)

select * from changes;

update article_versions
set fact_changes = found.fact_changes
from (
    select
        article_id,
        list({
            'event_type': event_type,
            'kind': kind,
            'old_value': old_value,
            'new_value': new_value,
            'old_evidence': old_evidence,
            'new_evidence': new_evidence
        } order by event_type, kind, new_value) as fact_changes
    from load_fact_revisions
    group by article_id
) as found, load_article_changes as article_changes
where
    article_versions.article_id = found.article_id
    and article_changes.article_id = found.article_id
    and article_versions.text_hash = article_changes.new_text_hash;
