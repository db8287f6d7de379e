-- A search for "Zoe" finds "Zoë", and one for "zoë" finds "Zoe": the
-- search compares names folded (subscribers.foldSQL): in lower case, the
-- Latin letters without accents, the words joined by one space. name_fold
-- keeps each name's fold, so that the search stays one instr a row.
--
-- SQLite's unicode61 tokenizer folds, in C, through name_fold_tokens: it
-- lowers the case of every alphabet and takes the accents off Latin
-- letters, those of a decomposed name too; ASCII's punctuation is kept
-- (tokenchars), so "O'Neil" is "o'neil" and a "*" searched is a "*". The
-- replace calls fold the Latin letters it keeps (ø, ł, ß, æ). The fold
-- is NULL for a name of printable ASCII without two spaces in a row (most
-- names), whose fold is lower(name): the search reads
-- coalesce(name_fold, lower(name)), and no write of such a name pays for
-- the fold.
--
-- Triggers keep it, whichever code writes the name, and an erased name
-- takes its fold with it. The search folds its needle with the same
-- expression, which a test in subscribers checks is the one below.
CREATE VIRTUAL TABLE name_fold_tokens USING fts3tokenize(unicode61, "remove_diacritics=2",
	"tokenchars=!""#$%&'()*+,-./:;<=>?@[\]^_`{|}~");

ALTER TABLE subscribers ADD COLUMN name_fold TEXT;

CREATE TRIGGER subscribers_name_fold_insert AFTER INSERT ON subscribers
	WHEN NEW.name GLOB '*[^ -~]*' OR NEW.name GLOB '*  *' BEGIN
	UPDATE subscribers SET name_fold = (SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(group_concat(token, ' ' ORDER BY position), 'ø', 'o'), 'ł', 'l'), 'đ', 'd'), 'ð', 'd'), 'ħ', 'h'), 'ı', 'i'), 'ŧ', 't'), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th') FROM name_fold_tokens WHERE input = NEW.name)
	WHERE id = NEW.id;
END;

-- A name changed, or one whose fold was never kept: the rows stored
-- before this migration, which the UPDATE at the end sends through here.
CREATE TRIGGER subscribers_name_fold_update AFTER UPDATE OF name ON subscribers
	WHEN NEW.name IS NOT OLD.name OR (OLD.name_fold IS NULL AND (NEW.name GLOB '*[^ -~]*' OR NEW.name GLOB '*  *')) BEGIN
	UPDATE subscribers SET name_fold = CASE WHEN NEW.name GLOB '*[^ -~]*' OR NEW.name GLOB '*  *'
		THEN (SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(group_concat(token, ' ' ORDER BY position), 'ø', 'o'), 'ł', 'l'), 'đ', 'd'), 'ð', 'd'), 'ħ', 'h'), 'ı', 'i'), 'ŧ', 't'), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th') FROM name_fold_tokens WHERE input = NEW.name) END
	WHERE id = NEW.id;
END;

UPDATE subscribers SET name = name WHERE name GLOB '*[^ -~]*' OR name GLOB '*  *';
