-- Per-sensor health (issue 5): the sensors of the latest status that reported any, as a JSON array of
-- {"name", "state", "reason", "message", "since" (epoch milliseconds), "retries"}. NULL until a status
-- carries sensors; a status without sensors (the MQTT last will) keeps the list it had.
ALTER TABLE devices ADD COLUMN sensors TEXT;
