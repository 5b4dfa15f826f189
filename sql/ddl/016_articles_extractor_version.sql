-- Which extractor produced an article's text (trafilatura version + our rules); null when the
-- text is the feed summary. Re-extraction with `newswatch reprocess --extract` updates it.
alter table articles add column if not exists extractor_version varchar;
