-- Reference exchange rates, so that amounts in other currencies can be compared in US dollars.
-- Seeded with hand-entered approximations of end-of-October 2025 market rates (the month of the
-- seed story), rounded to four significant figures: good enough to rank and sum amounts, not
-- an official fixing. Add rows (a later as_of date wins for later facts) to refine them.
create table if not exists fx_rates (
    currency varchar not null,           -- ISO 4217
    as_of date not null,                 -- the day the rate describes
    usd_per_unit double not null,        -- US dollars for one unit of the currency
    source varchar not null,             -- where the figure comes from
    primary key (currency, as_of)
);

insert into fx_rates (currency, as_of, usd_per_unit, source)
-- The duckdb dialect of sqlfluff gives a values list no indent.
-- noqa: disable=LT02
values
    ('USD', date '2000-01-01', 1.0, 'identity'),
    ('JPY', date '2025-10-31', 0.006490, 'approximate market rate, USD/JPY about 154.1 (hand-entered)'),
    ('EUR', date '2025-10-31', 1.153, 'approximate market rate, EUR/USD about 1.153 (hand-entered)'),
    ('CNY', date '2025-10-31', 0.1404, 'approximate market rate, USD/CNY about 7.12 (hand-entered)'),
    ('AUD', date '2025-10-31', 0.6540, 'approximate market rate, AUD/USD about 0.654 (hand-entered)'),
    ('GBP', date '2025-10-31', 1.315, 'approximate market rate, GBP/USD about 1.315 (hand-entered)')
-- noqa: enable=LT02
on conflict do nothing;
