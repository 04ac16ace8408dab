-- Rebuilds the full-text index of tasks so a search costs what the caller's own tasks cost:
-- * owner_id and board_id are indexed beside the text. A search ANDs the caller's visibility
--   (`owner_id : "7"`, later also `board_id : (…)`) with the words, so the match walks only the
--   tasks the caller may see. User words are always confined to {title description}, so no
--   typed text can match these columns (docs/decisions/006-search-under-load.md).
-- * prefix indexes for 1 to 8 characters: the query builder cuts every word to at most eight
--   characters, so each prefix term is one indexed entry instead of an expansion of the term
--   dictionary. Keep this list and MAX_PREFIX_CHARS in src/modules/tasks/search-query.ts in step.
-- A later migration that rebuilds `tasks` drops these triggers with it and must recreate them.
DROP TRIGGER IF EXISTS `tasks_fts_after_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `tasks_fts_after_delete`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `tasks_fts_after_update`;
--> statement-breakpoint
DROP TABLE IF EXISTS `tasks_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `tasks_fts` USING fts5(
	title,
	description,
	owner_id,
	board_id,
	content='tasks',
	content_rowid='id',
	tokenize='unicode61 remove_diacritics 2',
	prefix='1 2 3 4 5 6 7 8'
);
--> statement-breakpoint
CREATE TRIGGER `tasks_fts_after_insert` AFTER INSERT ON `tasks` BEGIN
	INSERT INTO tasks_fts(rowid, title, description, owner_id, board_id)
	VALUES (new.id, new.title, new.description, new.owner_id, new.board_id);
END;
--> statement-breakpoint
CREATE TRIGGER `tasks_fts_after_delete` AFTER DELETE ON `tasks` BEGIN
	INSERT INTO tasks_fts(tasks_fts, rowid, title, description, owner_id, board_id)
	VALUES ('delete', old.id, old.title, old.description, old.owner_id, old.board_id);
END;
--> statement-breakpoint
CREATE TRIGGER `tasks_fts_after_update` AFTER UPDATE OF title, description, owner_id, board_id ON `tasks` BEGIN
	INSERT INTO tasks_fts(tasks_fts, rowid, title, description, owner_id, board_id)
	VALUES ('delete', old.id, old.title, old.description, old.owner_id, old.board_id);
	INSERT INTO tasks_fts(rowid, title, description, owner_id, board_id)
	VALUES (new.id, new.title, new.description, new.owner_id, new.board_id);
END;
--> statement-breakpoint
-- Index the tasks that exist, then merge the result into one segment: straight after a rebuild
-- the segments are left unmerged, and every later insert pays to merge them.
INSERT INTO tasks_fts(tasks_fts) VALUES ('rebuild');
--> statement-breakpoint
INSERT INTO tasks_fts(tasks_fts) VALUES ('optimize');
