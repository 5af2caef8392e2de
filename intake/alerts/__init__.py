"""Weather and typhoon alerts: CAP intake, composition, targeting onto the grid, delivery, acknowledgement."""
