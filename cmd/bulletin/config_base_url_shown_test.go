package main

import (
	"strings"
	"testing"
)

// A BULLETIN_BASE_URL that is refused is quoted as it was given, without
// the password it may hold: the line goes to a terminal or a log.
func TestConfigBaseURLErrorShowsNoPassword(t *testing.T) {
	for _, tc := range []struct{ url, says string }{
		{"https://ed:hunter2-long@news.example.com", `"https://…@news.example.com": leave out the user name and password`},
		{"ftp://ed:hunter2-long@news.example.com/", `"ftp://…@news.example.com/": use an absolute http(s) URL`},
		{"https://ed:hunter2-long@news.example.com/news", `"https://…@news.example.com/news"`},
		{"http://", `BULLETIN_BASE_URL "http://": use an absolute http(s) URL`},
	} {
		_, err := parseConfig(map[string]string{"BULLETIN_BASE_URL": tc.url})
		if err == nil || !strings.Contains(err.Error(), tc.says) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("BULLETIN_BASE_URL %q: err = %v, want it to say %q and not the password", tc.url, err, tc.says)
		}
	}
}

// A scheme written in capitals is used in lower case: serve marks cookies
// Secure and sends HSTS only for a public URL that starts with https://.
func TestConfigBaseURLSchemeInLowerCase(t *testing.T) {
	c, err := parseConfig(map[string]string{"BULLETIN_BASE_URL": "HTTPS://News.Example.com/"})
	if err != nil || c.BaseURL != "https://News.Example.com" {
		t.Errorf("BULLETIN_BASE_URL HTTPS://News.Example.com/ = %q, %v; want https://News.Example.com", c.BaseURL, err)
	}
}
