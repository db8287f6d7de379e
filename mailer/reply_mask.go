package mailer

// MaskAddresses returns reply, a mail server's answer, with each address
// in it as "<address>", as the trouble log writes it: relays name the
// recipient in their refusals ("550 5.1.1 <ann@example.com>: user
// unknown"), and the log names no reader.
func MaskAddresses(reply string) string {
	return addressRE.ReplaceAllString(reply, "<address>")
}
