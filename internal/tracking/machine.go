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
// Office applications' link checks: each follows a link, or loads an
// image, before (or instead of) a person. Matched as lower-case
// substrings; each names a product, never a generic word such as "bot",
// which phone models contain (CUBOT).
var scannerAgents = []string{
	// Microsoft: Office's protocol and existence discovery and Word's,
	// Excel's and PowerPoint's link checks when a link is clicked in a
	// document, Teams/Skype previews, Bing. None of them shows a message,
	// so a pixel they fetch is no one's open.
	"microsoft office protocol discovery", "microsoft office existence discovery",
	"microsoft office word", "microsoft office excel",
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

// officeAgents are the tokens of Outlook for Windows, which names itself
// "ms-office; MSOffice 16" both when it prefetches a link the reader has
// not clicked and when it loads a message's images as the reader opens
// it, and "Microsoft Office/16.0 (…; Microsoft Outlook 16.0…)" when it
// fetches a link itself, for its preview; a link the reader clicks opens
// in their browser, under the browser's own name. They are kept apart
// from scannerAgents because of the images: a click with them is
// Outlook's fetch (a program's, ClassifyClick), but an open with them is
// Outlook showing the message to its reader (a person's, ClassifyOpen).
var officeAgents = []string{"ms-office", "msoffice", "microsoft outlook", "microsoft office/"}

// ClassifyClick says why a request to a tracked link looks like a
// program's: ReasonHead, ReasonScanner, or "" for a person. Bursts are
// found later, across requests, by the Recorder.
func ClassifyClick(method, userAgent string) string {
	if method == "HEAD" {
		return ReasonHead
	}
	ua := strings.ToLower(strings.TrimSpace(userAgent))
	if ua == "" || containsAny(ua, scriptAgents) || containsAny(ua, scannerAgents) || containsAny(ua, officeAgents) {
		return ReasonScanner
	}
	return ""
}

// IsLinkScanner says a request for a link in mail comes from a program
// that follows such links before, or instead of, the person it was sent
// to: a link checker's HEAD, a mail gateway's scanner, a link previewer,
// Office's prefetch (scannerAgents, officeAgents). Scripts and HTTP
// libraries (scriptAgents, or no user agent) are not taken for one here,
// unlike in ClassifyClick: no gateway announces itself so, and a person
// may follow a link with curl on purpose.
func IsLinkScanner(method, userAgent string) bool {
	if method == "HEAD" {
		return true
	}
	ua := strings.ToLower(userAgent)
	return containsAny(ua, scannerAgents) || containsAny(ua, officeAgents)
}

// ClassifyOpen says why a request for the open pixel looks like a
// program's: a mail provider's image proxy (which fetches the pixel
// whether or not anyone reads the message), ReasonHead, ReasonScanner, or
// "" for a person. No IP lists: Apple's proxy is known by its bare
// "Mozilla/5.0", which no mail program sends. Gateways' scanners and
// previewers load the pixel as they load any image, whether or not anyone
// reads the message, so scannerAgents are programs here too; Office's
// "ms-office" (officeAgents) is a person here: it is Outlook showing the
// message.
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
	case ua == "" || containsAny(ua, scriptAgents) || containsAny(ua, scannerAgents):
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
