"""Native notifications: what is said (messages), what is shown when (policy), how (backend), the service (center)."""
