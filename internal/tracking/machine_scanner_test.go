package tracking

import "testing"

// README, "Clicks and opens": "Clicks and opens made by programs are kept
// apart as machine and left out of the people's figures: HEAD requests,
// security scanners and link previewers known by their user agent
// (Microsoft Office and Safe Links previews, Proofpoint, Mimecast,
// Barracuda, Google's and Bing's fetchers, Slack, Discord, curl, …)".
// ClassifyOpen once checked only the script agents, never scannerAgents,
// so a mail gateway or previewer that loaded the pixel was counted as a
// reader's open (and as an opener) in every report.
func TestScannerOpensAreMachine(t *testing.T) {
	for name, ua := range map[string]string{
		"proofpoint": "Mozilla/5.0 (compatible; Proofpoint URL Defense)",
		"mimecast":   "Mimecast URL Protect",
		"barracuda":  "Mozilla/5.0 (compatible; Barracuda Sentinel)",
		"googlebot":  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"bing":       "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b",
		"slack":      "Slack-ImgProxy (+https://api.slack.com/robots)",
		"discord":    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
	} {
		if got := ClassifyOpen("GET", ua); got != ReasonScanner {
			t.Errorf("%s: ClassifyOpen(GET, %q) = %q, want %q: a scanner's pixel fetch counts as a person's open", name, ua, got, ReasonScanner)
		}
	}
}
