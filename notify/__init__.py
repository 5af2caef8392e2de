"""Everything outbound. Imports nothing of gridline's other packages."""
