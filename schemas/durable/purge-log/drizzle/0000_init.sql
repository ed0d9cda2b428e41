-- Edited by hand after drizzle-kit generate: IF NOT EXISTS on every CREATE. Objects deployed
-- before drizzle's migrations already hold these tables (created by the same statements in
-- code), and this baseline must adopt them as they are rather than fail.
CREATE TABLE IF NOT EXISTS `floor` (
	`id` integer PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	CONSTRAINT "floor_single_row" CHECK(id = 0)
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `forward_outbox` (
	`seq` integer PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `records` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`soft` integer NOT NULL,
	`created_at` integer NOT NULL
);
