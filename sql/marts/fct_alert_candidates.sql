-- Matching stories that no route has been sent yet: what the alerts stage will deliver.
create or replace view fct_alert_candidates as
select matching.*
from fct_matching_stories as matching
where not exists (
    select 1
    from alerts
    where
        alerts.story_cluster_id = matching.story_cluster_id
        and alerts.topic = matching.topic
        -- sent_at stays set while a later update of the story is pending
        and alerts.sent_at is not null
);
