"""Report: read result files (batches), their figures (figures), the statistics that rank and
compare and the two composites (ranking), the dated history (history), how a run was measured
(facts), charts and pages (plots, charts, markdown, render, downloads, templates/) and two
results side by side (compare).

May use the facts, and of the earlier packages only constants that a page states (settings,
limits); it reads figures from the JSON results alone.
"""
