-- The sqlite3 shell of Debian 12 (SQLite 3.40) can open bulletin.db
-- again, and so can Python's sqlite3 there. Since migration 076 it took the
-- schema for a malformed one, for every statement, a SELECT or a
-- .backup alike: an SQLite before 3.44 reads no ORDER BY inside
-- group_concat's parentheses ("near "ORDER": syntax error"), and one
-- before 3.46 parses with a stack of fixed depth, which the fold of
-- migration 086, 145 replace calls deep, overflows ("parser stack
-- overflow").
--
-- The triggers are made again with the same fold (subscribers.foldSQL),
-- in steps no deeper than such an SQLite parses (subscribers.foldStep):
-- the first statement keeps the tokenizer's words of the name, put in
-- order by a subquery rather than inside group_concat, with the Latin
-- letters the tokenizer keeps (ø, ß) folded; the next ones fold the
-- Greek vowels with tonos or dialytika and "ё", then the letters of
-- polytonic Greek, a few a statement, each only for a name that holds
-- such a letter.
-- A test in subscribers checks they are subscribers.foldTriggerWords and
-- subscribers.foldTriggerSteps, and that the fold they keep is the
-- search's for names of every kind. The folds stored are the same as
-- before: no name is folded again.
DROP TRIGGER subscribers_name_fold_insert;
DROP TRIGGER subscribers_name_fold_update;

CREATE TRIGGER subscribers_name_fold_insert AFTER INSERT ON subscribers
	WHEN NEW.name GLOB '*[^ -~]*' OR NEW.name GLOB '*  *' BEGIN
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace((SELECT group_concat(token, ' ') FROM (SELECT token FROM name_fold_tokens WHERE input = replace(replace(replace(replace(NEW.name, char(0x313), ''), char(0x314), ''), char(0x342), ''), char(0x345), '') ORDER BY position)), 'ø', 'o'), 'ł', 'l'), 'đ', 'd'), 'ð', 'd'), 'ħ', 'h'), 'ı', 'i'), 'ŧ', 't'), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th')
		WHERE id = NEW.id;
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ά', 'α'), 'έ', 'ε'), 'ή', 'η'), 'ί', 'ι'), 'ό', 'ο'), 'ύ', 'υ'), 'ώ', 'ω'), 'ϊ', 'ι'), 'ϋ', 'υ'), 'ΐ', 'ι'), 'ΰ', 'υ'), 'ё', 'е')
		WHERE id = NEW.id AND NEW.name GLOB '*[άΆέΈήΉίΊόΌύΎώΏϊΪϋΫΐΰёЁ]*';
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ἀ', 'α'), 'ἁ', 'α'), 'ἂ', 'α'), 'ἃ', 'α'), 'ἄ', 'α'), 'ἅ', 'α'), 'ἆ', 'α'), 'ἇ', 'α'), 'ἐ', 'ε'), 'ἑ', 'ε'), 'ἒ', 'ε'), 'ἓ', 'ε'), 'ἔ', 'ε'), 'ἕ', 'ε'), 'ἠ', 'η'), 'ἡ', 'η'), 'ἢ', 'η'), 'ἣ', 'η')
		WHERE id = NEW.id AND NEW.name GLOB '*[ἀ-῾]*';
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ἤ', 'η'), 'ἥ', 'η'), 'ἦ', 'η'), 'ἧ', 'η'), 'ἰ', 'ι'), 'ἱ', 'ι'), 'ἲ', 'ι'), 'ἳ', 'ι'), 'ἴ', 'ι'), 'ἵ', 'ι'), 'ἶ', 'ι'), 'ἷ', 'ι'), 'ὀ', 'ο'), 'ὁ', 'ο'), 'ὂ', 'ο'), 'ὃ', 'ο'), 'ὄ', 'ο'), 'ὅ', 'ο')
		WHERE id = NEW.id AND NEW.name GLOB '*[ἀ-῾]*';
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ὐ', 'υ'), 'ὑ', 'υ'), 'ὒ', 'υ'), 'ὓ', 'υ'), 'ὔ', 'υ'), 'ὕ', 'υ'), 'ὖ', 'υ'), 'ὗ', 'υ'), 'ὠ', 'ω'), 'ὡ', 'ω'), 'ὢ', 'ω'), 'ὣ', 'ω'), 'ὤ', 'ω'), 'ὥ', 'ω'), 'ὦ', 'ω'), 'ὧ', 'ω'), 'ὰ', 'α'), 'ά', 'α')
		WHERE id = NEW.id AND NEW.name GLOB '*[ἀ-῾]*';
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ὲ', 'ε'), 'έ', 'ε'), 'ὴ', 'η'), 'ή', 'η'), 'ὶ', 'ι'), 'ί', 'ι'), 'ὸ', 'ο'), 'ό', 'ο'), 'ὺ', 'υ'), 'ύ', 'υ'), 'ὼ', 'ω'), 'ώ', 'ω'), 'ᾀ', 'α'), 'ᾁ', 'α'), 'ᾂ', 'α'), 'ᾃ', 'α'), 'ᾄ', 'α'), 'ᾅ', 'α')
		WHERE id = NEW.id AND NEW.name GLOB '*[ἀ-῾]*';
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ᾆ', 'α'), 'ᾇ', 'α'), 'ᾐ', 'η'), 'ᾑ', 'η'), 'ᾒ', 'η'), 'ᾓ', 'η'), 'ᾔ', 'η'), 'ᾕ', 'η'), 'ᾖ', 'η'), 'ᾗ', 'η'), 'ᾠ', 'ω'), 'ᾡ', 'ω'), 'ᾢ', 'ω'), 'ᾣ', 'ω'), 'ᾤ', 'ω'), 'ᾥ', 'ω'), 'ᾦ', 'ω'), 'ᾧ', 'ω')
		WHERE id = NEW.id AND NEW.name GLOB '*[ἀ-῾]*';
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ᾰ', 'α'), 'ᾱ', 'α'), 'ᾲ', 'α'), 'ᾳ', 'α'), 'ᾴ', 'α'), 'ᾶ', 'α'), 'ᾷ', 'α'), 'ῂ', 'η'), 'ῃ', 'η'), 'ῄ', 'η'), 'ῆ', 'η'), 'ῇ', 'η'), 'ῐ', 'ι'), 'ῑ', 'ι'), 'ῒ', 'ι'), 'ΐ', 'ι'), 'ῖ', 'ι'), 'ῗ', 'ι')
		WHERE id = NEW.id AND NEW.name GLOB '*[ἀ-῾]*';
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ῠ', 'υ'), 'ῡ', 'υ'), 'ῢ', 'υ'), 'ΰ', 'υ'), 'ῤ', 'ρ'), 'ῥ', 'ρ'), 'ῦ', 'υ'), 'ῧ', 'υ'), 'ῲ', 'ω'), 'ῳ', 'ω'), 'ῴ', 'ω'), 'ῶ', 'ω'), 'ῷ', 'ω')
		WHERE id = NEW.id AND NEW.name GLOB '*[ἀ-῾]*';
END;

-- A name changed, or one whose fold was never kept, as in 076.
CREATE TRIGGER subscribers_name_fold_update AFTER UPDATE OF name ON subscribers
	WHEN NEW.name IS NOT OLD.name OR (OLD.name_fold IS NULL AND (NEW.name GLOB '*[^ -~]*' OR NEW.name GLOB '*  *')) BEGIN
	UPDATE subscribers SET name_fold = CASE WHEN NEW.name GLOB '*[^ -~]*' OR NEW.name GLOB '*  *'
		THEN replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace((SELECT group_concat(token, ' ') FROM (SELECT token FROM name_fold_tokens WHERE input = replace(replace(replace(replace(NEW.name, char(0x313), ''), char(0x314), ''), char(0x342), ''), char(0x345), '') ORDER BY position)), 'ø', 'o'), 'ł', 'l'), 'đ', 'd'), 'ð', 'd'), 'ħ', 'h'), 'ı', 'i'), 'ŧ', 't'), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th') END
		WHERE id = NEW.id;
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ά', 'α'), 'έ', 'ε'), 'ή', 'η'), 'ί', 'ι'), 'ό', 'ο'), 'ύ', 'υ'), 'ώ', 'ω'), 'ϊ', 'ι'), 'ϋ', 'υ'), 'ΐ', 'ι'), 'ΰ', 'υ'), 'ё', 'е')
		WHERE id = NEW.id AND NEW.name GLOB '*[άΆέΈήΉίΊόΌύΎώΏϊΪϋΫΐΰёЁ]*';
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ἀ', 'α'), 'ἁ', 'α'), 'ἂ', 'α'), 'ἃ', 'α'), 'ἄ', 'α'), 'ἅ', 'α'), 'ἆ', 'α'), 'ἇ', 'α'), 'ἐ', 'ε'), 'ἑ', 'ε'), 'ἒ', 'ε'), 'ἓ', 'ε'), 'ἔ', 'ε'), 'ἕ', 'ε'), 'ἠ', 'η'), 'ἡ', 'η'), 'ἢ', 'η'), 'ἣ', 'η')
		WHERE id = NEW.id AND NEW.name GLOB '*[ἀ-῾]*';
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ἤ', 'η'), 'ἥ', 'η'), 'ἦ', 'η'), 'ἧ', 'η'), 'ἰ', 'ι'), 'ἱ', 'ι'), 'ἲ', 'ι'), 'ἳ', 'ι'), 'ἴ', 'ι'), 'ἵ', 'ι'), 'ἶ', 'ι'), 'ἷ', 'ι'), 'ὀ', 'ο'), 'ὁ', 'ο'), 'ὂ', 'ο'), 'ὃ', 'ο'), 'ὄ', 'ο'), 'ὅ', 'ο')
		WHERE id = NEW.id AND NEW.name GLOB '*[ἀ-῾]*';
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ὐ', 'υ'), 'ὑ', 'υ'), 'ὒ', 'υ'), 'ὓ', 'υ'), 'ὔ', 'υ'), 'ὕ', 'υ'), 'ὖ', 'υ'), 'ὗ', 'υ'), 'ὠ', 'ω'), 'ὡ', 'ω'), 'ὢ', 'ω'), 'ὣ', 'ω'), 'ὤ', 'ω'), 'ὥ', 'ω'), 'ὦ', 'ω'), 'ὧ', 'ω'), 'ὰ', 'α'), 'ά', 'α')
		WHERE id = NEW.id AND NEW.name GLOB '*[ἀ-῾]*';
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ὲ', 'ε'), 'έ', 'ε'), 'ὴ', 'η'), 'ή', 'η'), 'ὶ', 'ι'), 'ί', 'ι'), 'ὸ', 'ο'), 'ό', 'ο'), 'ὺ', 'υ'), 'ύ', 'υ'), 'ὼ', 'ω'), 'ώ', 'ω'), 'ᾀ', 'α'), 'ᾁ', 'α'), 'ᾂ', 'α'), 'ᾃ', 'α'), 'ᾄ', 'α'), 'ᾅ', 'α')
		WHERE id = NEW.id AND NEW.name GLOB '*[ἀ-῾]*';
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ᾆ', 'α'), 'ᾇ', 'α'), 'ᾐ', 'η'), 'ᾑ', 'η'), 'ᾒ', 'η'), 'ᾓ', 'η'), 'ᾔ', 'η'), 'ᾕ', 'η'), 'ᾖ', 'η'), 'ᾗ', 'η'), 'ᾠ', 'ω'), 'ᾡ', 'ω'), 'ᾢ', 'ω'), 'ᾣ', 'ω'), 'ᾤ', 'ω'), 'ᾥ', 'ω'), 'ᾦ', 'ω'), 'ᾧ', 'ω')
		WHERE id = NEW.id AND NEW.name GLOB '*[ἀ-῾]*';
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ᾰ', 'α'), 'ᾱ', 'α'), 'ᾲ', 'α'), 'ᾳ', 'α'), 'ᾴ', 'α'), 'ᾶ', 'α'), 'ᾷ', 'α'), 'ῂ', 'η'), 'ῃ', 'η'), 'ῄ', 'η'), 'ῆ', 'η'), 'ῇ', 'η'), 'ῐ', 'ι'), 'ῑ', 'ι'), 'ῒ', 'ι'), 'ΐ', 'ι'), 'ῖ', 'ι'), 'ῗ', 'ι')
		WHERE id = NEW.id AND NEW.name GLOB '*[ἀ-῾]*';
	UPDATE subscribers SET name_fold = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_fold, 'ῠ', 'υ'), 'ῡ', 'υ'), 'ῢ', 'υ'), 'ΰ', 'υ'), 'ῤ', 'ρ'), 'ῥ', 'ρ'), 'ῦ', 'υ'), 'ῧ', 'υ'), 'ῲ', 'ω'), 'ῳ', 'ω'), 'ῴ', 'ω'), 'ῶ', 'ω'), 'ῷ', 'ω')
		WHERE id = NEW.id AND NEW.name GLOB '*[ἀ-῾]*';
END;
