-- Provider webhook secrets saved at /admin/settings: each overrides its
-- BULLETIN_WEBHOOK_* environment variable; no row means the variable's.
CREATE TABLE webhook_secrets (
    provider   TEXT PRIMARY KEY CHECK (provider IN ('ses', 'postmark', 'sendgrid', 'mailgun')),
    secret     TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
