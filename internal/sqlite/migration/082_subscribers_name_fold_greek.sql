-- A search for "Αλεξανδρα" finds "Αλεξάνδρα", and one for "Елкин" finds
-- "Ёлкин", either way round: the fold (subscribers.foldSQL) now takes
-- the tonos and dialytika off Greek vowels (ά έ ή ί ό ύ ώ ϊ ϋ ΐ ΰ; the
-- tokenizer lowers their capitals first) and reads "ё" as "е". The
-- unicode61 tokenizer takes the accents off Latin letters only, and off
-- any letter stored decomposed; it already reads a final "ς" as "σ".
-- "й" and the Ukrainian "ї" are letters of their own, each with its own
-- key, and are kept.
--
-- The triggers of migration 076 are made again with the new fold, which
-- a test in subscribers checks is the search's, and the names stored
-- with one of those letters are folded again, in one statement: the
-- others' folds are the same as before. name_fold is no column the
-- update trigger watches, so the statement fires none.
DROP TRIGGER subscribers_name_fold_insert;
DROP TRIGGER subscribers_name_fold_update;

CREATE TRIGGER subscribers_name_fold_insert AFTER INSERT ON subscribers
	WHEN NEW.name GLOB '*[^ -~]*' OR NEW.name GLOB '*  *' BEGIN
	UPDATE subscribers SET name_fold = (SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(group_concat(token, ' ' ORDER BY position), 'ø', 'o'), 'ł', 'l'), 'đ', 'd'), 'ð', 'd'), 'ħ', 'h'), 'ı', 'i'), 'ŧ', 't'), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th'), 'ά', 'α'), 'έ', 'ε'), 'ή', 'η'), 'ί', 'ι'), 'ό', 'ο'), 'ύ', 'υ'), 'ώ', 'ω'), 'ϊ', 'ι'), 'ϋ', 'υ'), 'ΐ', 'ι'), 'ΰ', 'υ'), 'ё', 'е') FROM name_fold_tokens WHERE input = NEW.name)
	WHERE id = NEW.id;
END;

-- A name changed, or one whose fold was never kept, as in 076.
CREATE TRIGGER subscribers_name_fold_update AFTER UPDATE OF name ON subscribers
	WHEN NEW.name IS NOT OLD.name OR (OLD.name_fold IS NULL AND (NEW.name GLOB '*[^ -~]*' OR NEW.name GLOB '*  *')) BEGIN
	UPDATE subscribers SET name_fold = CASE WHEN NEW.name GLOB '*[^ -~]*' OR NEW.name GLOB '*  *'
		THEN (SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(group_concat(token, ' ' ORDER BY position), 'ø', 'o'), 'ł', 'l'), 'đ', 'd'), 'ð', 'd'), 'ħ', 'h'), 'ı', 'i'), 'ŧ', 't'), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th'), 'ά', 'α'), 'έ', 'ε'), 'ή', 'η'), 'ί', 'ι'), 'ό', 'ο'), 'ύ', 'υ'), 'ώ', 'ω'), 'ϊ', 'ι'), 'ϋ', 'υ'), 'ΐ', 'ι'), 'ΰ', 'υ'), 'ё', 'е') FROM name_fold_tokens WHERE input = NEW.name) END
	WHERE id = NEW.id;
END;

-- The names stored with a letter the fold now changes, in either case.
UPDATE subscribers SET name_fold = (SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(group_concat(token, ' ' ORDER BY position), 'ø', 'o'), 'ł', 'l'), 'đ', 'd'), 'ð', 'd'), 'ħ', 'h'), 'ı', 'i'), 'ŧ', 't'), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th'), 'ά', 'α'), 'έ', 'ε'), 'ή', 'η'), 'ί', 'ι'), 'ό', 'ο'), 'ύ', 'υ'), 'ώ', 'ω'), 'ϊ', 'ι'), 'ϋ', 'υ'), 'ΐ', 'ι'), 'ΰ', 'υ'), 'ё', 'е') FROM name_fold_tokens WHERE input = subscribers.name)
WHERE name GLOB '*[άέήίόύώϊϋΐΰΆΈΉΊΌΎΏΪΫёЁ]*';
