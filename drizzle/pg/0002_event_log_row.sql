-- The one row of event_log (id 1), as drizzle/0006_events.sql inserts it on SQLite.
INSERT INTO "event_log" ("id", "pruned_through") VALUES (1, 0);
