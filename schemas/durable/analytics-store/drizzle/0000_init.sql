-- Edited by hand after drizzle-kit generate: IF NOT EXISTS on every CREATE. Objects deployed
-- before drizzle's migrations already hold these tables (created by the same statements in
-- code), and this baseline must adopt them as they are rather than fail.
CREATE TABLE IF NOT EXISTS `histograms` (
	`layer` text NOT NULL,
	`kind` text NOT NULL,
	`counts` text NOT NULL,
	`sum_ms` real NOT NULL,
	PRIMARY KEY(`layer`, `kind`)
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `minutes` (
	`minute` integer NOT NULL,
	`route` text NOT NULL,
	`colo` text NOT NULL,
	`layer` text NOT NULL,
	`outcome` text NOT NULL,
	`status_class` text NOT NULL,
	`origin` text NOT NULL,
	`requests` integer NOT NULL,
	`bytes_client` integer NOT NULL,
	`bytes_origin` integer NOT NULL,
	`origin_ms` real NOT NULL,
	`total_ms` real NOT NULL,
	PRIMARY KEY(`minute`, `route`, `colo`, `layer`, `outcome`, `status_class`, `origin`)
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `totals` (
	`route` text NOT NULL,
	`colo` text NOT NULL,
	`layer` text NOT NULL,
	`outcome` text NOT NULL,
	`status_class` text NOT NULL,
	`origin` text NOT NULL,
	`requests` integer NOT NULL,
	`bytes_client` integer NOT NULL,
	`bytes_origin` integer NOT NULL,
	PRIMARY KEY(`route`, `colo`, `layer`, `outcome`, `status_class`, `origin`)
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `urls` (
	`minute` integer NOT NULL,
	`url` text NOT NULL,
	`requests` integer NOT NULL,
	`misses` integer NOT NULL,
	`bytes_client` integer NOT NULL,
	PRIMARY KEY(`minute`, `url`)
);
