insert into fetch_log by name
select * from incoming_fetch_log
on conflict (request_id) do nothing;
