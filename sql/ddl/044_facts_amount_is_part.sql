-- Part amounts (issue 15): a fact whose figure is a slice of a larger one ("the first tranche ... worth
-- $36 billion", "$5 billion of the $550 billion") keeps the figure but is flagged, so totals leave it out
-- (fct_commitments) while fct_facts still shows it.
alter table facts add column if not exists amount_is_part boolean default false;
