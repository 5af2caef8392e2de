"""Classification of residents' Chinese text into the event taxonomy.

Pure: imports nothing of gridline's other packages.
"""
