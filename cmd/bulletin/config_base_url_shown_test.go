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
		// A '#', '/' or '?' in the password ends url.Parse's host part
		// early: the value is cut at its last '@' all the same.
		{"https://ed:hunter2#x@news.example.com", `"https://…@news.example.com"`},
		{"https://ed:hun/ter2@news.example.com", `"https://…@news.example.com"`},
		{"https://ed:hunter2?q@news.example.com/", `"https://…@news.example.com/"`},
		{"ed:hunter2@news.example.com", `"…@news.example.com"`},
	} {
		_, err := parseConfig(map[string]string{"BULLETIN_BASE_URL": tc.url})
		if err == nil || !strings.Contains(err.Error(), tc.says) || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "ter2") {
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

// A BULLETIN_REDIS_URL whose password holds an unescaped '/', '?' or '#'
// is refused without quoting what url.Parse took for its host, port or
// database: a piece of the password ("5678@h" of ":1234/5678@h").
func TestConfigRedisURLErrorShowsNoPassword(t *testing.T) {
	for _, raw := range []string{
		"redis://:1234/5678@h:6379/0",
		"redis://:12#34ab@h:6379/0",
		"redis://:12?34ab@h:6379/0",
		"redis://ed:12/34ab@h:6379/0",
	} {
		_, err := parseConfig(map[string]string{"BULLETIN_REDIS_URL": raw})
		if err == nil || !strings.Contains(err.Error(), "the password holds a character to escape") || strings.Contains(err.Error(), "34") {
			t.Errorf("BULLETIN_REDIS_URL %q: err = %v, want the escaping told and no piece of the password", raw, err)
		}
	}
	for _, raw := range []string{"redis://:pw%2F34@h:6379/0", "redis://h:6379/0", "rediss://ed:pw@h:6380/2"} {
		if _, err := parseConfig(map[string]string{"BULLETIN_REDIS_URL": raw}); err != nil {
			t.Errorf("BULLETIN_REDIS_URL %q: %v", raw, err)
		}
	}
}
