"""The approach's history: its events (national days, seminars, laws, studies), shown with the
calls' milestones on the chronology (``/chronologie/``)."""
