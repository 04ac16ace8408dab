-- Full-text indexes over board names and descriptions and over comment bodies, kept in sync by
-- triggers like tasks_fts, with the same prefix indexes: search terms are cut to eight
-- characters (MAX_PREFIX_CHARS in src/modules/tasks/search-terms.ts; keep them in step).
-- The tables are new, so there is nothing to index yet.
CREATE VIRTUAL TABLE `boards_fts` USING fts5(
	name,
	description,
	content='boards',
	content_rowid='id',
	tokenize='unicode61 remove_diacritics 2',
	prefix='1 2 3 4 5 6 7 8'
);
--> statement-breakpoint
CREATE TRIGGER `boards_fts_after_insert` AFTER INSERT ON `boards` BEGIN
	INSERT INTO boards_fts(rowid, name, description) VALUES (new.id, new.name, new.description);
END;
--> statement-breakpoint
CREATE TRIGGER `boards_fts_after_delete` AFTER DELETE ON `boards` BEGIN
	INSERT INTO boards_fts(boards_fts, rowid, name, description) VALUES ('delete', old.id, old.name, old.description);
END;
--> statement-breakpoint
CREATE TRIGGER `boards_fts_after_update` AFTER UPDATE OF name, description ON `boards` BEGIN
	INSERT INTO boards_fts(boards_fts, rowid, name, description) VALUES ('delete', old.id, old.name, old.description);
	INSERT INTO boards_fts(rowid, name, description) VALUES (new.id, new.name, new.description);
END;
--> statement-breakpoint
CREATE VIRTUAL TABLE `comments_fts` USING fts5(
	body,
	content='comments',
	content_rowid='id',
	tokenize='unicode61 remove_diacritics 2',
	prefix='1 2 3 4 5 6 7 8'
);
--> statement-breakpoint
CREATE TRIGGER `comments_fts_after_insert` AFTER INSERT ON `comments` BEGIN
	INSERT INTO comments_fts(rowid, body) VALUES (new.id, new.body);
END;
--> statement-breakpoint
CREATE TRIGGER `comments_fts_after_delete` AFTER DELETE ON `comments` BEGIN
	INSERT INTO comments_fts(comments_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
--> statement-breakpoint
CREATE TRIGGER `comments_fts_after_update` AFTER UPDATE OF body ON `comments` BEGIN
	INSERT INTO comments_fts(comments_fts, rowid, body) VALUES ('delete', old.id, old.body);
	INSERT INTO comments_fts(rowid, body) VALUES (new.id, new.body);
END;
