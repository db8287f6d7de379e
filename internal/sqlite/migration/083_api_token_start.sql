-- The first characters of each API token's secret ("bt_" and six more),
-- kept to tell the tokens apart in the lists: a secret found in a log or
-- a repository is matched to the token to revoke. They are a small part
-- of the secret (36 of its 256 random bits), and only its hash is kept
-- whole. Tokens made before this have none: their secret was never kept.
ALTER TABLE api_tokens ADD COLUMN secret_start TEXT NOT NULL DEFAULT '';
