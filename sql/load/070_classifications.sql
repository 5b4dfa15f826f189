insert into classifications by name
select article_id, topic, score, is_relevant, evidence::json as evidence, classifier_version, classified_at
from incoming_classifications
on conflict (article_id, topic) do update set
    score = excluded.score,
    is_relevant = excluded.is_relevant,
    evidence = excluded.evidence,
    classifier_version = excluded.classifier_version,
    classified_at = excluded.classified_at
where classifications.classifier_version <> excluded.classifier_version or classifications.score <> excluded.score;
