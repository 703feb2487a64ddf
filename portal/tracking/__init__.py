"""Public tracking of a dossier by its code (*tra cứu hồ sơ*): the page and the JSON API."""
