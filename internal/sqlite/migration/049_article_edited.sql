-- When an editor last changed the article in Bulletin (the admin form or
-- PATCH /api/v1/articles/{id}). A feed poll leaves such an article's text
-- as the editor left it and only adds it to lists.
ALTER TABLE articles ADD COLUMN edited_at TIMESTAMP;
