"""What co-op staff do through the gateway: find members' accounts, and get their logins."""
