"""Setup (``/console/setup``, admins): users, departments, grid groups, categories and the grid import.

Pages call the domain (``intake.org``, ``intake.taxonomy.store``, ``intake.grid.grid_import``) and show its
refusals in words; every POST carries the session's CSRF token (checked by the console's middleware, or
first thing by the streamed upload).
"""

from __future__ import annotations

from bot.console.setup import categories, departments, grids, groups, users
from bot.console.setup.common import routes

__all__ = ["categories", "departments", "grids", "groups", "routes", "users"]
