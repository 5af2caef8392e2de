"""The console's map: grid cells served per view (:mod:`.cells`), case markers and the heat map
(:mod:`.points`), a cell's summary and the cases inside a drawn polygon (:mod:`.inside`)."""
