-- Step 2: a channel accepted the message.
update alerts set channels_done = list_append(coalesce(channels_done, []), $1)
where route = $2 and message_key = $3
