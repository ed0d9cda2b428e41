-- Edited by hand after drizzle-kit generate: IF NOT EXISTS on every CREATE. Objects deployed
-- before drizzle's migrations already hold these tables (created by the same statements in
-- code), and this baseline must adopt them as they are rather than fail. A shard that last ran
-- before `entries.expires_at` and `r2_bodies.bucket` existed gets them from
-- edge-cache/tier/tier-store.ts (addPreDrizzleColumns) before this runs.
CREATE TABLE IF NOT EXISTS `chunks` (
	`body_id` text NOT NULL,
	`seq` integer NOT NULL,
	`data` blob NOT NULL,
	PRIMARY KEY(`body_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `entries` (
	`key` text PRIMARY KEY NOT NULL,
	`primary_key` text NOT NULL,
	`meta` text NOT NULL,
	`headers` text NOT NULL,
	`body_id` text NOT NULL,
	`size` integer NOT NULL,
	`chunks` integer NOT NULL,
	`stored_at` integer NOT NULL,
	`last_access` integer NOT NULL,
	`expires_at` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `entries_primary` ON `entries` (`primary_key`);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `entries_access` ON `entries` (`last_access`);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `entries_expiry` ON `entries` (`expires_at`);--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `r2_bodies` (
	`body_id` text PRIMARY KEY NOT NULL,
	`bucket` text
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `restores` (
	`key` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `sketch` (
	`id` integer PRIMARY KEY NOT NULL,
	`width` integer NOT NULL,
	`additions` integer NOT NULL,
	`counters` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `vary` (
	`primary_key` text PRIMARY KEY NOT NULL,
	`fields` text NOT NULL
);
