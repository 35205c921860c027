-- Households under home watch (居家观察) are few among many: today's list finds them by this
-- index instead of reading every household's tags. The query names the same expression with
-- the same literal, which is what lets SQLite use a partial index.
CREATE INDEX p_households_home_watch ON p_households (doc_id) WHERE instr(tags, 'home_watch') > 0;
