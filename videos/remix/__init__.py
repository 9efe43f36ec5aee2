"""Remix culture: sounds ("use this sound", uploaded music, original sounds), duets,
stitches, hashtag challenges and trending. Models live in videos/models.py and ffmpeg
recipes in videos/media.py; this package holds the services, selectors, views and API."""
