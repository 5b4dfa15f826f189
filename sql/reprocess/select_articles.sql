-- Stored articles to run the stages again over: $1/$2 bound the publication (else first-seen) date,
-- $3 limits them to articles relevant to any of these topics; a null bound or list means no limit.
select *
from articles
where
    ($1::date is null or coalesce(published_at, first_seen_at)::date >= $1::date)
    and ($2::date is null or coalesce(published_at, first_seen_at)::date <= $2::date)
    and (
        $3::varchar[] is null or article_id in (
            select article_id from classifications
            where list_contains($3::varchar[], topic) and is_relevant
        )
    )
order by article_id
