-- Step 3: every channel accepted: sent.
update alerts set
    status = 'sent', sent_at = $1, last_error = null, next_attempt_at = null,
    facts_sent = facts_claimed
where route = $2 and message_key = $3
