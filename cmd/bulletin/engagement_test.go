package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/tracking"
)

// The end-to-end test of issue 12's engagement figures, on the real
// binary: a digest of three articles goes to three readers of a list with
// tracking on; two people click what they read in a browser and a link
// scanner follows every link of the third reader's mail. The digest's
// report ranks the articles by people's clicks and counts the scanner
// apart, and once serve has stopped cleanly and started again, the
// link.clicked webhooks, signed, add up to the people's clicks only.
func TestDigestClicksRankArticlesAndReachWebhooks(t *testing.T) {
	const (
		browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
		scanner = "Mozilla/5.0 (compatible; Barracuda Sentinel link protection)"
		secret  = "integration-secret-0123456789abcdef01" // newCluster's BULLETIN_SECRET
	)
	recv := newHookReceiver(t)
	c := newCluster(t, 3, 0, "BULLETIN_ALLOW_PRIVATE_FEEDS=1")
	serve, addr := c.start("serve1", "serve")
	recv.setSecret(t, c.createEndpoint(addr, recv.URL+"/hooks", "link.clicked"))
	if code := c.api(addr, "PATCH", "/api/v1/lists/news", map[string]any{"tracking": "on"}, nil); code != http.StatusOK {
		t.Fatalf("PATCH /api/v1/lists/news tracking on: %d", code)
	}

	articles := []string{"https://harbour.example/ferry-spring", "https://harbour.example/north-pier-bench", "https://harbour.example/lighthouse"}
	published := time.Now().UTC().Add(-time.Hour)
	for i, url := range articles {
		in := map[string]any{"title": fmt.Sprintf("Harbour story %d", i+1), "url": url, "summary": "What happened at the harbour.",
			"published_at": published.Add(time.Duration(i) * time.Minute).Format(time.RFC3339), "lists": []string{"news"}}
		if code := c.api(addr, "POST", "/api/v1/articles", in, nil); code != http.StatusCreated {
			t.Fatalf("POST /api/v1/articles %s: %d", url, code)
		}
	}
	var digest struct {
		ID         int64 `json:"id"`
		Articles   int   `json:"articles"`
		Recipients int   `json:"recipients"`
	}
	if code := c.api(addr, "POST", "/api/v1/digests/run", map[string]any{"list": "news"}, &digest); code != http.StatusCreated || digest.Articles != 3 || digest.Recipients != 3 {
		t.Fatalf("POST /api/v1/digests/run: %d %+v, want 201 with 3 articles for 3 recipients", code, digest)
	}
	// Which link of the mail is which article: the report's links give
	// each URL's index, whose token starts the /r/ path.
	type figures struct {
		Delivered     int `json:"delivered"`
		Clickers      int `json:"clickers"`
		Clicks        int `json:"clicks"`
		MachineClicks int `json:"machine_clicks"`
		Links         []struct {
			Index int    `json:"index"`
			URL   string `json:"url"`
		} `json:"links"`
		Articles []struct {
			URL      string `json:"url"`
			Clicks   int    `json:"clicks"`
			Clickers int    `json:"clickers"`
		} `json:"articles"`
	}
	report := func() figures {
		t.Helper()
		var f figures
		if code := c.api(addr, "GET", fmt.Sprintf("/api/v1/campaigns/%d/report", digest.ID), nil, &f); code != http.StatusOK {
			t.Fatalf("GET report: %d", code)
		}
		return f
	}
	tokens := tracking.NewSigner([]byte(secret))
	sent := report()
	for deadline := time.Now().Add(30 * time.Second); sent.Delivered < 3; sent = report() {
		if time.Now().After(deadline) {
			t.Fatalf("digest %d: %d delivered after 30 s, want 3", digest.ID, sent.Delivered)
		}
		time.Sleep(250 * time.Millisecond)
	}
	index := map[string]int{}
	for _, l := range sent.Links {
		index[l.URL] = l.Index
	}
	linkRE := regexp.MustCompile(`/r/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)
	mailLinks := func(reader string) (all []string, byArticle map[string]string) {
		t.Helper()
		mails := waitMails(t, c.data, 1, reader)
		if len(mails) != 1 {
			t.Fatalf("%d mails to %s, want 1", len(mails), reader)
		}
		text := strings.NewReplacer("=\r\n", "", "=\n", "", "=3D", "=").Replace(mails[0])
		byArticle = map[string]string{}
		seen := map[string]bool{}
		for _, p := range linkRE.FindAllString(text, -1) {
			if !seen[p] {
				seen[p] = true
				all = append(all, p)
			}
			for _, url := range articles {
				if i, ok := index[url]; ok && strings.HasPrefix(p, "/r/"+tokens.Link(digest.ID, i)+".") {
					byArticle[url] = p
				}
			}
		}
		if len(byArticle) != len(articles) {
			t.Fatalf("%s's mail: tracked links of %d articles (%v), want %d; links %v, report links %v", reader, len(byArticle), byArticle, len(articles), all, index)
		}
		return all, byArticle
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	click := func(path, ua, want string) {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		req.Header.Set("User-Agent", ua)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || (want != "" && resp.Header.Get("Location") != want) {
			t.Errorf("GET %s as %q: %d to %q, want 302 to %q", path, ua, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}

	_, a := mailLinks("reader00000@example.com")
	_, b := mailLinks("reader00001@example.com")
	cAll, _ := mailLinks("reader00002@example.com")
	click(a[articles[0]], browser, articles[0])
	click(a[articles[1]], browser, articles[1])
	click(b[articles[0]], browser, articles[0])
	for _, p := range cAll { // the scanner, all at once
		click(p, scanner, "")
	}

	var got figures
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		got = report()
		if got.Clicks+got.MachineClicks >= 3+len(cAll) || time.Now().After(deadline) {
			break
		}
	}
	if got.Clicks != 3 || got.Clickers != 2 || got.MachineClicks != len(cAll) {
		t.Errorf("report: %d clicks by %d clickers, %d machine clicks; want 3 by 2, %d machine (the scanner's)", got.Clicks, got.Clickers, got.MachineClicks, len(cAll))
	}
	wantRank := []string{fmt.Sprintf("%s 2 2", articles[0]), fmt.Sprintf("%s 1 1", articles[1]), fmt.Sprintf("%s 0 0", articles[2])}
	var rank []string
	for _, ar := range got.Articles {
		rank = append(rank, fmt.Sprintf("%s %d %d", ar.URL, ar.Clicks, ar.Clickers))
	}
	if strings.Join(rank, "\n") != strings.Join(wantRank, "\n") {
		t.Errorf("articles ranked (url clicks clickers):\n%s\nwant:\n%s", strings.Join(rank, "\n"), strings.Join(wantRank, "\n"))
	}

	// A clean stop emits the counts pending; the next serve posts them.
	terminate(t, serve, "serve")
	c.start("serve2", "serve")
	sum := func() (total int, byURL map[string]int) {
		byURL = map[string]int{}
		for _, rec := range recv.seen {
			var ev struct {
				Type string `json:"type"`
				Data struct {
					CampaignID int64  `json:"campaign_id"`
					URL        string `json:"url"`
					Clicks     int    `json:"clicks"`
				} `json:"data"`
			}
			if json.Unmarshal(rec.body, &ev) != nil || ev.Type != "link.clicked" || ev.Data.CampaignID != digest.ID {
				byURL["unexpected: "+string(rec.body)]++
				continue
			}
			total += ev.Data.Clicks
			byURL[ev.Data.URL] += ev.Data.Clicks
		}
		return total, byURL
	}
	recv.waitFor(t, 20*time.Second, "link.clicked events adding up to 3 clicks", func() bool { n, _ := sum(); return n >= 3 })
	time.Sleep(500 * time.Millisecond) // anything beyond the people's clicks would show now
	recv.badRequests(t)
	recv.mu.Lock()
	total, byURL := sum()
	recv.mu.Unlock()
	want := map[string]int{articles[0]: 2, articles[1]: 1}
	if total != 3 || fmt.Sprint(byURL) != fmt.Sprint(want) {
		t.Errorf("link.clicked clicks: %d in all, by URL %v; want 3, %v (none of the scanner's)", total, byURL, want)
	}
}
