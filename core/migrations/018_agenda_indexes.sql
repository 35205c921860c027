-- Today's list reads few rows among many: the households under home watch (居家观察), and the
-- open tickets a member is responsible for (an office answers for thousands of tickets over
-- the years, a few hundred open; those a leader is in charge of have had their index since
-- 012). Partial indexes hold only those rows; the queries name the same conditions with the
-- same literals, which is what lets SQLite use them. The open tickets' index holds the
-- columns the list shows, so that the list reads a few index pages instead of one table page
-- per ticket (each page decrypted again on an encrypted store once the cache is full).
CREATE INDEX IF NOT EXISTS p_households_home_watch ON p_households (doc_id)
    WHERE instr(tags, 'home_watch') > 0;
CREATE INDEX IF NOT EXISTS p_tickets_open_responsible ON p_tickets (responsible, doc_id,
    place_ref, place_text, description, status, reply_due_ms, resolve_due_ms)
    WHERE is_open = 1;
