package templates

import (
	htmltemplate "html/template"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/mailer"
)

// renderMail renders mail name with data as Templates.Mail does, failing
// the test on an error, or on "<no value>" in either part: a map key the
// templates read and the data lacks, where the code that sends the mail
// gives a field or a method (TextAsk, TextKnown, Intro…). A mail tested
// with other data than it is sent with tests another mail.
func renderMail(t *testing.T, tmpl *Templates, name string, data any) (text, html string) {
	t.Helper()
	text, html, err := tmpl.Mail(name, data)
	if err != nil {
		t.Fatal(err)
	}
	for part, s := range map[string]string{"text": text, "HTML": html} {
		if strings.Contains(s, "<no value>") || strings.Contains(s, "&lt;no value&gt;") {
			t.Errorf("mail %s: the %s part shows <no value>, for a field its data lacks:\n%s", name, part, s)
		}
	}
	return text, html
}

// The data below is each mail's as the code that sends it gives it, as
// maps: its types (subscribers.ConfirmMail and AlreadyMail, the
// campaigns' mailData and digestData) are in packages that import this
// one. The methods of theirs the templates call are keys holding what they
// return, wrapped as those packages wrap it (mailer.WrapProse, at
// mailer.TextWidth, names whole). Each mail is to ada@example.com, about
// the list Daily News.

// confirmMailData is what the Confirmer gives mail/confirm
// (subscribers.ConfirmMail) to ask a new reader to confirm Daily News.
func confirmMailData(brand Brand) map[string]any {
	return map[string]any{
		"Name": "", "Email": "ada@example.com", "Lists": []string{"Daily News"}, "Confirmed": false, "Keeps": []string(nil),
		"ConfirmURL": "https://news.example/confirm/TOKEN", "Publisher": brand.Name, "BaseURL": "https://news.example", "Brand": brand,
		"PreferencesURL": "", "UnsubscribeURL": "",
		"TextAsk": wrapText("Please confirm that you want to receive mail from "+brand.Name+" (Daily News) at this address:",
			brand.Name, "Daily News"),
		"TextKeeps": wrapText("The link works for 7 days. If you did not ask for this, ignore this mail: nothing changes."),
	}
}

// alreadyMailData is what the Confirmer gives mail/already
// (subscribers.AlreadyMail) to a reader on Daily News who signs up for
// it again (alreadyData, with its TextKnown).
func alreadyMailData(brand Brand) map[string]any {
	known := wrapText("You are already subscribed to "+brand.Name+" (Daily News) at this address:", brand.Name, "Daily News")
	return alreadyData(brand, "ada@example.com", known, "Daily News")
}

// campaignMailData is what a campaign to Daily News gives
// mail/campaign (the campaigns' mailData), its body's HTML body and
// its text part's Hello.
func campaignMailData(brand Brand, body string) map[string]any {
	postal := brand.PostalLines()
	for i, l := range postal {
		postal[i] = wrapText(l)
	}
	return map[string]any{
		"Subject": "Winter", "Preheader": "The ferry's winter timetable", "Body": htmltemplate.HTML(body),
		"Text": "Hello\n", "Publisher": brand.Name, "Brand": brand, "ListName": "Daily News",
		"UnsubscribeURL": "https://news.example/unsubscribe/TOKEN", "PreferencesURL": "https://news.example/preferences/TOKEN",
		"ArchiveURL":      "",
		"TextPublisher":   wrapText(brand.Name),
		"TextReason":      wrapText("You receive this because you joined the list “Daily News”.", "Daily News"),
		"TextPostalLines": postal,
	}
}

// digestMailData is what a digest of Daily News gives mail/digest (the
// campaigns' digestData): heading such as "2 new stories", the dates
// rng, and articles (digestArticleData).
func digestMailData(brand Brand, heading, rng string, articles ...map[string]any) map[string]any {
	return map[string]any{
		"Publisher": brand.Name, "ListName": "Daily News", "Link": brand.AccentText(), "Lang": brand.ContentLang(),
		"Heading": heading, "Range": rng, "Articles": articles,
		"Intro": wrapText(heading+" in Daily News from "+brand.Name+", "+rng+".", "Daily News", brand.Name, rng),
	}
}

// digestArticleData is a story of digestMailData without an author or an
// image; byline is its date.
func digestArticleData(url, title, byline, summary string) map[string]any {
	return map[string]any{
		"URL": url, "Title": title, "Author": "", "ImageURL": "", "ImageAlt": "", "ImageWidth": 0, "ImageHeight": 0,
		"Summary": summary, "Wrapped": wrapText(summary), "TextTitle": wrapText(title),
		"Byline": byline, "TextByline": byline,
	}
}

// wrapText is s wrapped for a text part, each of whole kept on one line.
func wrapText(s string, whole ...string) string {
	return mailer.WrapProse(s, mailer.TextWidth, whole...)
}
