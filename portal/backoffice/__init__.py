"""The back office: queues, the officer's dossier page, actions, slips and the result."""
