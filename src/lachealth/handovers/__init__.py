"""Hand-offs between agencies, each a message with a clock, an owner and an acknowledgement."""
