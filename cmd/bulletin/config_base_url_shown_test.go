package main

import "testing"

// A scheme written in capitals is used in lower case: serve marks cookies
// Secure and sends HSTS only for a public URL that starts with https://.
func TestConfigBaseURLSchemeInLowerCase(t *testing.T) {
	c, err := parseConfig(map[string]string{"BULLETIN_BASE_URL": "HTTPS://News.Example.com/"})
	if err != nil || c.BaseURL != "https://News.Example.com" {
		t.Errorf("BULLETIN_BASE_URL HTTPS://News.Example.com/ = %q, %v; want https://News.Example.com", c.BaseURL, err)
	}
}
