"""The server-rendered website. One module per area; each view parses input, calls one service or
selector, and renders. Pages work without JavaScript (site.js only adds the copy button, blurhash
placeholders, live status polling and the visitor's time zone)."""
