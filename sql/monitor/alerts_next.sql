-- What the next alerts run will send: the matching stories that no route has sent yet, and the best one.
with candidates as (
    select * from fct_alert_candidates
),

waiting as (
    select
        count(distinct story_cluster_id) as count_stories,
        count(*) as count_alerts,
        max(score) as top_score,
        arg_max(title, score) as top_title
    from candidates
)

select * from waiting;
