//go:build !linux

package mailer

import (
	"errors"
	"os"
)

// mapJournal is not used here: the journal appends with write(2).
func mapJournal(*os.File, int) ([]byte, error) { return nil, errors.ErrUnsupported }

func unmapJournal([]byte) error { return nil }
