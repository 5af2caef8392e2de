"""What the server-rendered staff pages share (the worker's pages and the console): sessions and CSRF."""
