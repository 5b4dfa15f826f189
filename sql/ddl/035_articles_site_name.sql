-- The publication's own name, as its page declares it (og:site_name, else the page's site metadata):
-- alerts and the monitor name the source by it, with the feed's name and then the host as fallbacks.
alter table articles add column if not exists site_name varchar;
