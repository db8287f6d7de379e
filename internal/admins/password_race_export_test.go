package admins

// SetBeforePasswordWrite makes f run in every ChangePassword of s between
// the check of the current password and the write of the new one, so that
// the tests in package admins_test can commit a reset in that gap.
func (s *Store) SetBeforePasswordWrite(f func()) { s.beforePasswordWrite = f }
