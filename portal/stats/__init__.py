"""Quality indicators (DESIGN §7, Quyết định 766/QĐ-TTg): figures computed in SQL
(``service``), drawn as SVG (``charts``), laid out as tables and CSV (``tables``), served as
pages (``views``) and as JSON (``GET /api/v1/stats`` in ``portal.api``)."""
