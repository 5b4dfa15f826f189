-- Reference exchange rates (the fx_rates table of sql/ddl/022), applied after the migrations on
-- every run: edit this file to correct a seeded rate. Hand-entered approximations of
-- end-of-October 2025 market rates (the month of the seed story), rounded to four significant
-- figures: good enough to rank and sum amounts, not an official fixing. Add rows (a later as_of
-- date wins for later facts) to refine them; rows not listed here are left alone.
insert or replace into fx_rates (currency, as_of, usd_per_unit, source)
-- The duckdb dialect of sqlfluff gives a values list no indent.
-- noqa: disable=LT02
values
    ('USD', date '2000-01-01', 1.0, 'identity'),
    ('JPY', date '2025-10-31', 0.006490, 'approximate market rate, USD/JPY about 154.1 (hand-entered)'),
    ('EUR', date '2025-10-31', 1.153, 'approximate market rate, EUR/USD about 1.153 (hand-entered)'),
    ('CNY', date '2025-10-31', 0.1404, 'approximate market rate, USD/CNY about 7.12 (hand-entered)'),
    ('AUD', date '2025-10-31', 0.6540, 'approximate market rate, AUD/USD about 0.654 (hand-entered)'),
    ('GBP', date '2025-10-31', 1.315, 'approximate market rate, GBP/USD about 1.315 (hand-entered)');
-- noqa: enable=LT02
