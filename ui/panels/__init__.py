"""One class per tab of the dock; each owns its tab's widgets of dock.ui (see base.Panel)."""
