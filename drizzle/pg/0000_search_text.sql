-- The text the full-text search vectors are built from (tasks, boards and comments have a
-- generated `search` column over it, src/platform/db/pg-tables/search.ts): accents removed, as
-- SQLite's unicode61 tokenizer does with remove_diacritics 2, and every run of characters that
-- are not letters or digits made one space, so words split where FTS5 splits them. Created
-- before the tables, whose generated columns call it. IMMUTABLE, as a generated column needs:
-- its result depends on its argument alone.
CREATE FUNCTION kanbun_search_text(input text) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	AS $$
		SELECT regexp_replace(
			regexp_replace(normalize(input, NFD), '[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+', '', 'g'),
			'[^[:alnum:]]+', ' ', 'g')
	$$;
