ALTER TABLE `entries` ADD `segment` text DEFAULT 'main' NOT NULL;--> statement-breakpoint
CREATE INDEX `entries_segment_access` ON `entries` (`segment`,`last_access`,`stored_at`);