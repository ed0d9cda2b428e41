CREATE TABLE `chaos_drills` (
	`id` text PRIMARY KEY NOT NULL,
	`zone` text NOT NULL,
	`spec` text NOT NULL,
	`started_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`actor` text NOT NULL,
	FOREIGN KEY (`zone`) REFERENCES `zones`(`name`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `chaos_drills_zone_ends` ON `chaos_drills` (`zone`,`ends_at`);