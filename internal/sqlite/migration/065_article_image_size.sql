-- An article's image gets its size in pixels, when Bulletin is told it (a
-- feed's media:content or media:thumbnail, the API, the admin form): it
-- never downloads the image to measure it. A mail should give every image
-- its width and height, so a digest can keep its shape and never stretch
-- a small one to the card's width. 0 is unknown, as for every article
-- stored before: those are shown as before, at the card's width.
ALTER TABLE articles ADD COLUMN image_width INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN image_height INTEGER NOT NULL DEFAULT 0;
