-- Edited by hand after drizzle-kit generate: IF NOT EXISTS on every CREATE. Objects deployed
-- before drizzle's migrations already hold these tables (created by the same statements in
-- code), and this baseline must adopt them as they are rather than fail.
CREATE TABLE IF NOT EXISTS `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `probes` (
	`origin` text NOT NULL,
	`at` integer NOT NULL,
	`ok` integer NOT NULL,
	`status` integer,
	`ms` integer NOT NULL,
	`reason` text
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `probes_by_origin` ON `probes` (`origin`,`at`);--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `state` (
	`origin` text PRIMARY KEY NOT NULL,
	`healthy` integer NOT NULL,
	`streak` integer NOT NULL,
	`since` integer NOT NULL,
	`next_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `transitions` (
	`origin` text NOT NULL,
	`at` integer NOT NULL,
	`healthy` integer NOT NULL,
	`reason` text
);
