-- Reference exchange rates, so that amounts in other currencies can be compared in US dollars.
-- The rates themselves are seed data: sql/seeds/fx_rates.sql (this file inserted them once; a
-- warehouse that got them from here keeps them, and the seed step owns them from now on).
create table if not exists fx_rates (
    currency varchar not null,           -- ISO 4217
    as_of date not null,                 -- the day the rate describes
    usd_per_unit double not null,        -- US dollars for one unit of the currency
    source varchar not null,             -- where the figure comes from
    primary key (currency, as_of)
);
