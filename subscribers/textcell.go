package subscribers

// TextCell makes s a CSV cell that a spreadsheet shows as text and never
// runs as a formula, as the subscriber export does; FromTextCell undoes it.
// Other exports (the suppression list) use the same guard.
func TextCell(s string) string { return textCell(s) }

// FromTextCell undoes TextCell.
func FromTextCell(s string) string { return fromTextCell(s) }
