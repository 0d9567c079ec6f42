"""Reminders: when each is due (pure), what was done with it (the log), and the scheduler that fires them."""
