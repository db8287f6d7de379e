package admins

// SetBeforePasswordWrite makes f run in every ChangePassword of s between
// the check of the current password and the write of the new one, so that
// the tests in package admins_test can commit a reset in that gap.
func (s *Store) SetBeforePasswordWrite(f func()) { s.beforePasswordWrite = f }

// SetAfterPasswordCheck makes f run in every Login of s between the check
// of the password and the write of the session, so that the tests in
// package admins_test can commit a reset or a password change in that gap.
func (s *Store) SetAfterPasswordCheck(f func()) { s.afterPasswordCheck = f }
