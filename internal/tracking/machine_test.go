package tracking

import "testing"

func TestClassifyClick(t *testing.T) {
	for _, tc := range []struct {
		name, method, ua, want string
	}{
		// People, in the browsers and mail apps they click from.
		{"chrome windows", "GET", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", ""},
		{"edge", "GET", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51", ""},
		{"firefox linux", "GET", "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", ""},
		{"safari iphone", "GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", ""},
		{"gmail app ios", "GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/310.0.620286245 Mobile/15E148 Safari/604.1", ""},
		{"android cubot phone", "GET", "Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", ""},
		{"samsung internet", "GET", "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36", ""},
		{"facebook in-app browser", "GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/458.0.0.38.108]", ""},
		{"outlook android webview", "GET", "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36", ""},

		// Any HEAD is a program checking the link.
		{"head from a browser UA", "HEAD", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", ReasonHead},

		// Scanners, previewers and scripts.
		{"no user agent", "GET", "", ReasonScanner},
		{"office protocol discovery", "GET", "Microsoft Office Protocol Discovery", ReasonScanner},
		{"office existence discovery", "GET", "Microsoft Office Existence Discovery", ReasonScanner},
		{"ms-office prefetch", "GET", "Mozilla/4.0 (compatible; ms-office; MSOffice 16)", ReasonScanner},
		{"outlook's own fetch", "GET", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)", ReasonScanner},
		{"word link check", "GET", "Microsoft Office Word 2014", ReasonScanner},
		{"teams preview", "GET", "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com", ReasonScanner},
		{"bing preview", "GET", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b", ReasonScanner},
		{"bingbot", "GET", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", ReasonScanner},
		{"googlebot", "GET", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", ReasonScanner},
		{"google safety", "GET", "Mozilla/5.0 (compatible; Google-Safety; +http://www.google.com/bot.html)", ReasonScanner},
		{"proofpoint", "GET", "Mozilla/5.0 (compatible; Proofpoint URL Defense)", ReasonScanner},
		{"mimecast", "GET", "Mimecast URL Protect", ReasonScanner},
		{"barracuda", "GET", "Mozilla/5.0 (compatible; Barracuda Sentinel)", ReasonScanner},
		{"slack", "GET", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", ReasonScanner},
		{"discord", "GET", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", ReasonScanner},
		{"twitter", "GET", "Twitterbot/1.0", ReasonScanner},
		{"facebook crawler", "GET", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", ReasonScanner},
		{"linkedin", "GET", "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", ReasonScanner},
		{"whatsapp preview", "GET", "WhatsApp/2.23.20.0 A", ReasonScanner},
		{"telegram", "GET", "TelegramBot (like TwitterBot)", ReasonScanner},
		{"curl", "GET", "curl/8.5.0", ReasonScanner},
		{"wget", "GET", "Wget/1.21.4", ReasonScanner},
		{"python requests", "GET", "python-requests/2.31.0", ReasonScanner},
		{"go", "GET", "Go-http-client/1.1", ReasonScanner},
		{"headless chrome", "GET", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36", ReasonScanner},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ClassifyClick(tc.method, tc.ua); got != tc.want {
				t.Errorf("ClassifyClick(%s, %q) = %q, want %q", tc.method, tc.ua, got, tc.want)
			}
		})
	}
}

func TestClassifyOpen(t *testing.T) {
	for _, tc := range []struct {
		name, method, ua, want string
	}{
		{"apple mail without protection", "GET", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)", ""},
		{"thunderbird", "GET", "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.10.1", ""},
		{"outlook desktop", "GET", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 10.0; Win64; x64; Trident/7.0; .NET4.0C; .NET4.0E; Microsoft Outlook 16.0.17531; ms-office; MSOffice 16)", ""},
		{"apple privacy protection", "GET", "Mozilla/5.0", ReasonAppleProxy},
		{"gmail image proxy", "GET", "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", ReasonGoogleProxy},
		{"yahoo mail proxy", "GET", "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html", ReasonYahooProxy},
		{"head", "HEAD", "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.10.1", ReasonHead},
		{"curl", "GET", "curl/8.5.0", ReasonScanner},
		{"no user agent", "GET", "", ReasonScanner},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ClassifyOpen(tc.method, tc.ua); got != tc.want {
				t.Errorf("ClassifyOpen(%s, %q) = %q, want %q", tc.method, tc.ua, got, tc.want)
			}
		})
	}
}

// A link in mail is followed by a person in a browser, or first by a
// program: the confirmation and unsubscribe pages answer a program with a
// button instead of acting. Scripts are a person's choice here.
func TestIsLinkScanner(t *testing.T) {
	for _, tc := range []struct {
		name, method, ua string
		want             bool
	}{
		{"chrome", "GET", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", false},
		{"curl", "GET", "curl/8.5.0", false},
		{"head", "HEAD", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", true},
		{"outlook prefetch", "GET", "Mozilla/4.0 (compatible; ms-office; MSOffice 16)", true},
		{"outlook's own fetch", "GET", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)", true},
		{"proofpoint", "GET", "Mozilla/5.0 (compatible; Proofpoint URL Defense)", true},
	} {
		if got := IsLinkScanner(tc.method, tc.ua); got != tc.want {
			t.Errorf("%s: IsLinkScanner = %v, want %v", tc.name, got, tc.want)
		}
	}
}
