-- When the route last sent a digest.
select max(sent_at) from alerts where route = $1 and delivery = 'digest' and status = 'sent'
