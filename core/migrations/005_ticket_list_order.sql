-- Ticket lists are read newest event first, usually open tickets only: with this index SQLite
-- walks the rows in list order and stops after a page, instead of sorting every open ticket.
CREATE INDEX p_tickets_open_recent ON p_tickets (is_open, last_event_ms DESC, doc_id);
CREATE INDEX p_tickets_recent ON p_tickets (last_event_ms DESC, doc_id);
