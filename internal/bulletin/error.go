// Package bulletin holds the few types that every other package shares: the
// application error with its codes, and small helpers around it.
package bulletin

import (
	"errors"
	"fmt"
)

// Error codes. The web layer maps each to one HTTP status.
const (
	ECONFLICT         = "conflict"
	EINTERNAL         = "internal"
	EINVALID          = "validation"
	ENOTFOUND         = "not_found"
	EUNAUTHORIZED     = "unauthorized"
	EFORBIDDEN        = "forbidden"
	EBADREQUEST       = "bad_request"
	ETOOLARGE         = "too_large"
	EUNSUPPORTED      = "unsupported_media_type"
	ERATELIMITED      = "rate_limited"
	EUNIMPLEMENTED    = "not_implemented"
	EMETHODNOTALLOWED = "method_not_allowed"
	EMAILSERVER       = "mail_server" // the mail server could not be reached, or refused for now
	EUNAVAILABLE      = "unavailable" // nothing can be stored for now (the disk is full): try again later
)

// An Error is an error a user may see: a code, a human message and, for
// validation errors, the reason per field. Anything else is internal.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("bulletin error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a validation error with per-field reasons.
func Invalid(fields map[string]string) *Error {
	return &Error{Code: EINVALID, Message: "Some fields need fixing.", Fields: fields}
}

// ErrorCode returns the code of err when it is (or wraps) an *Error, and
// EINTERNAL otherwise. A nil error has no code.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of err when it is an *Error, and a generic
// text otherwise, so that internal details never reach a user.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the per-field reasons of err, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
