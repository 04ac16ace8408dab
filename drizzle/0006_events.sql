CREATE TABLE `event_log` (
	`id` integer PRIMARY KEY NOT NULL,
	`pruned_through` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`board_id` integer,
	`user_id` integer,
	`data` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_board_seq_idx` ON `events` (`board_id`,`seq`) WHERE "events"."board_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `events_user_seq_idx` ON `events` (`user_id`,`seq`) WHERE "events"."user_id" IS NOT NULL;--> statement-breakpoint
INSERT INTO `event_log` (`id`, `pruned_through`) VALUES (1, 0);
