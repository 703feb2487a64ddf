"""The dossier state machine: the only writer of a dossier's status (DESIGN §4)."""
