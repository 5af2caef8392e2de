"""Case statistics and 考核: grouped SQL over cases and their events (:mod:`intake.stats.cases`), the score
formula (:mod:`intake.stats.score`)."""
