"""Small helpers shared by the apps; nothing here knows about a domain."""
