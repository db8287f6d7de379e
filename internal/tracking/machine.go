package tracking

import "strings"

// Reasons a click or an open is taken for a program's rather than a
// person's, stored in the reason column beside machine = 1.
const (
	ReasonHead        = "head"         // a HEAD request: a link checker
	ReasonScanner     = "scanner"      // a security scanner, link previewer or script, by its user agent
	ReasonBurst       = "burst"        // one delivery following many links of the message within seconds
	ReasonAppleProxy  = "apple-proxy"  // Apple Mail Privacy Protection fetching the pixel
	ReasonGoogleProxy = "google-proxy" // Gmail's image proxy
	ReasonYahooProxy  = "yahoo-proxy"  // Yahoo Mail's image proxy
)

// scriptAgents are HTTP libraries, command-line tools and headless
// browsers: no person clicks or opens through them. Matched as lower-case
// substrings of the user agent.
var scriptAgents = []string{
	"curl/", "wget/", "python-requests", "python-urllib", "python-httpx", "aiohttp",
	"go-http-client", "java/", "okhttp", "apache-httpclient", "libwww-perl",
	"node-fetch", "axios/", "undici", "ruby", "postmanruntime", "scrapy",
	"headlesschrome", "phantomjs",
}

// scannerAgents are the security scanners of mail gateways, link
// previewers of chat and social apps, search engines' fetchers and the
// Office applications' prefetch: each follows a link before (or instead
// of) a person. Matched as lower-case substrings; each names a product,
// never a generic word such as "bot", which phone models contain (CUBOT).
var scannerAgents = []string{
	// Microsoft: Office's protocol discovery and prefetch when a link is
	// clicked in Word or Outlook, Teams/Skype previews, Bing.
	"microsoft office protocol discovery", "microsoft office existence discovery",
	"ms-office", "msoffice", "microsoft office word", "microsoft office excel",
	"microsoft office powerpoint", "skypeuripreview", "bingpreview", "bingbot",
	"msnbot", "adidxbot", "microsoft-webdav-miniredir",
	// Mail security gateways.
	"proofpoint", "mimecast", "barracuda", "trustwave", "cloudmark", "forcepoint",
	"symantec", "ironport", "fireeye", "sophos",
	// Google's and others' fetchers.
	"googlebot", "google-safety", "google-inspectiontool", "adsbot-google",
	"apis-google", "feedfetcher-google", "google-read-aloud", "google favicon",
	"googleother", "applebot", "yandexbot", "duckduckbot", "baiduspider",
	"yahoo! slurp",
	// Link unfurlers of chat and social apps.
	"slackbot", "slack-imgproxy", "discordbot", "twitterbot", "facebookexternalhit",
	"facebookcatalog", "linkedinbot", "whatsapp/", "telegrambot", "redditbot",
	"pinterestbot", "embedly", "iframely", "metainspector",
}

// ClassifyClick says why a request to a tracked link looks like a
// program's: ReasonHead, ReasonScanner, or "" for a person. Bursts are
// found later, across requests, by the Recorder.
func ClassifyClick(method, userAgent string) string {
	if method == "HEAD" {
		return ReasonHead
	}
	ua := strings.ToLower(strings.TrimSpace(userAgent))
	if ua == "" || containsAny(ua, scriptAgents) || containsAny(ua, scannerAgents) {
		return ReasonScanner
	}
	return ""
}

// ClassifyOpen says why a request for the open pixel looks like a
// program's: a mail provider's image proxy (which fetches the pixel
// whether or not anyone reads the message), ReasonHead, ReasonScanner, or
// "" for a person. No IP lists: Apple's proxy is known by its bare
// "Mozilla/5.0", which no mail program sends. Office's "ms-office" is a
// person here: it is Outlook showing the message.
func ClassifyOpen(method, userAgent string) string {
	if method == "HEAD" {
		return ReasonHead
	}
	ua := strings.ToLower(strings.TrimSpace(userAgent))
	switch {
	case ua == "mozilla/5.0":
		return ReasonAppleProxy
	case strings.Contains(ua, "googleimageproxy"):
		return ReasonGoogleProxy
	case strings.Contains(ua, "yahoomailproxy"):
		return ReasonYahooProxy
	case ua == "" || containsAny(ua, scriptAgents):
		return ReasonScanner
	}
	return ""
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
