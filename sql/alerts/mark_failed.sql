-- Step 3: a channel refused: failed, with the error and the next attempt time.
update alerts set status = 'failed', last_error = $1, next_attempt_at = $2
where route = $3 and message_key = $4
