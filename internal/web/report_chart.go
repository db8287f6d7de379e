package web

import (
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/internal/tracking"
)

// A chart is a bar chart drawn as SVG on the server: no script, a
// <title> per bar for the pointer, and role="img" with a label for
// screen readers. Every chart has a table of the same figures beside it
// on its page. Only its bars are scaled to its width, by an inner SVG
// that stretches its viewBox sideways; its words stay at the page's
// pixel size: scaling the whole chart drew them 5 px high on a phone. A
// rank chart's labels are HTML, so that a label too long for the width
// ends in an ellipsis, whole under the pointer, and its figure stays in
// sight.
type chart struct {
	Label         string
	Width, Height int
	// Baseline is the y of the axis line; "" draws none.
	Baseline string
	Bars     []chartBar
	Texts    []chartText
	Rows     []chartRow
}

type chartBar struct {
	X, Y, W, H string
	Title      string
}

// A chartText's X is in pixels or, to stay at the right edge however
// wide the chart is drawn, "100%".
type chartText struct {
	X, Y   string
	Anchor string
	Text   string
}

// A chartRow labels a rank chart's bar: its name and its figure, above
// the bar at Y.
type chartRow struct {
	Y           string
	Name, Value string
}

var chartTemplate = template.Must(template.New("chart").Parse(`<svg role="img" aria-label="{{.Label}}" width="100%" height="{{.Height}}" style="display:block;max-width:{{.Width}}px;font:12px system-ui,sans-serif">
<svg viewBox="0 0 {{.Width}} {{.Height}}" width="100%" height="{{.Height}}" preserveAspectRatio="none">
{{range .Bars}}<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" style="fill:var(--accent)"><title>{{.Title}}</title></rect>
{{end}}</svg>
{{range .Rows}}<foreignObject x="0" y="{{.Y}}" width="100%" height="16"><div style="display:flex;gap:4px;font:12px/16px system-ui,sans-serif;color:var(--muted);white-space:nowrap"><span title="{{.Name}}" style="overflow:hidden;text-overflow:ellipsis">{{.Name}}</span><span>({{.Value}})</span></div></foreignObject>
{{end}}{{range .Texts}}<text x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}" style="fill:var(--muted)">{{.Text}}</text>
{{end}}{{with .Baseline}}<line x1="0" y1="{{.}}" x2="100%" y2="{{.}}" style="stroke:var(--line)"/>
{{end}}</svg>`))

// render returns the chart's SVG.
func (c *chart) render() (template.HTML, error) {
	var b strings.Builder
	if err := chartTemplate.Execute(&b, c); err != nil {
		return "", fmt.Errorf("render chart: %w", err)
	}
	return template.HTML(b.String()), nil
}

func px(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// seriesChart draws one figure of a report's series (value picks it) as
// a bar per hour or day, counted in one and many ("click", "clicks"). A
// series of fewer than 48 hours (chartSeries stops at the hour now) gets
// a 48th of the width a bar all the same, from the left: an hour of
// clicks drew one bar the chart's width. Its right end is then labelled
// only where the label clears the left one, by its last hour, never by
// an hour still to come.
func seriesChart(series []tracking.Bucket, label, one, many string, value func(tracking.Bucket) int) *chart {
	const width, top, base = 720.0, 20.0, 190.0
	c := &chart{Label: label, Width: width, Height: 212, Baseline: "190.5"}
	most := 0
	for _, b := range series {
		most = max(most, value(b))
	}
	if len(series) == 0 || most == 0 {
		c.Texts = append(c.Texts, chartText{X: "0", Y: "14", Anchor: "start", Text: "No " + many + " yet"})
		return c
	}
	slots := max(len(series), chartHours)
	slot := width / float64(slots)
	for i, b := range series {
		h := float64(value(b)) / float64(most) * (base - top)
		c.Bars = append(c.Bars, chartBar{X: px(float64(i)*slot + slot*0.1), Y: px(base - h), W: px(slot * 0.8), H: px(h),
			Title: bucketLabel(b) + ": " + prose.Count(value(b), one, many)})
	}
	c.Texts = append(c.Texts,
		chartText{X: "0", Y: "12", Anchor: "start", Text: prose.Count(most, one, many) + " at most"},
		chartText{X: "0", Y: "206", Anchor: "start", Text: bucketLabel(series[0])})
	switch {
	case len(series) == slots:
		c.Texts = append(c.Texts, chartText{X: "100%", Y: "206", Anchor: "end", Text: bucketLabel(series[len(series)-1])})
	case len(series) >= chartHours/2:
		// At its bar's right end, in percent as the bars stretch.
		c.Texts = append(c.Texts, chartText{X: px(float64(len(series))/float64(slots)*100) + "%", Y: "206", Anchor: "end", Text: bucketLabel(series[len(series)-1])})
	}
	return c
}

// chartHours is how many hours a chart over time spans at least: the
// hours a report's series gives by the hour.
const chartHours = 48

// chartSeries is series as a chart draws it at now: its first 48 hours,
// those after its last click or open there and empty, up to the hour now
// is in. The series ends at its last hour with any, so an hour of clicks
// drew one bar the chart's width, labelled with that hour at both ends;
// filled to 48 hours whatever the time, a campaign sent ten minutes ago
// charted "0 clicks" for the next two days' hours, which have not come.
func chartSeries(series []tracking.Bucket, now time.Time) []tracking.Bucket {
	// A series shorter than 48 buckets is all hours: its days start after
	// them.
	if len(series) == 0 || len(series) >= chartHours || series[0].Span != "hour" {
		return series
	}
	out := slices.Clone(series)
	for at := series[len(series)-1].At.Add(time.Hour); len(out) < chartHours && !at.After(now); at = at.Add(time.Hour) {
		out = append(out, tracking.Bucket{At: at, Span: "hour"})
	}
	return out
}

// rankChart draws a horizontal bar per item, its label above it. A label
// is cut at 200 characters, far more than any screen shows: the page's
// width cuts it further.
func rankChart(label string, items []rankItem) *chart {
	const width, row = 720.0, 36.0
	c := &chart{Label: label, Width: width, Height: int(row*float64(max(len(items), 1))) + 12}
	most := 0
	for _, it := range items {
		most = max(most, it.Value)
	}
	if most == 0 {
		c.Texts = append(c.Texts, chartText{X: "0", Y: "14", Anchor: "start", Text: "No clicks yet"})
		return c
	}
	for i, it := range items {
		y := float64(i) * row
		w := float64(it.Value) / float64(most) * width
		c.Bars = append(c.Bars, chartBar{X: "0", Y: px(y + 16), W: px(w), H: "14", Title: it.Label + ": " + prose.Count(it.Value, "click", "clicks")})
		c.Rows = append(c.Rows, chartRow{Y: px(y), Name: shorten(it.Label, 200), Value: prose.Number(it.Value)})
	}
	return c
}

type rankItem struct {
	Label string
	Value int
}

// bucketLabel names a bucket of a series in UTC: "2 Nov 09:00" for an
// hour, "4 Nov" for a day, and "3 Nov 14:00–24:00" for the first day
// after the hours, which starts where they end. It is kept short because
// it heads a row of the report's table, on one line on a phone ("to
// midnight" took a second there), and labels a chart's ends.
func bucketLabel(b tracking.Bucket) string {
	if b.Span == "hour" {
		return b.At.UTC().Format("2 Jan 15:04")
	}
	if b.At.UTC().Truncate(24*time.Hour) != b.At.UTC() {
		return b.At.UTC().Format("2 Jan 15:04") + "–24:00"
	}
	return b.At.UTC().Format("2 Jan")
}

// bucketTime is a bucket's start as a <time> element's datetime: the
// hour, or the day of a whole day.
func bucketTime(b tracking.Bucket) string {
	if b.Span == "day" && b.At.UTC().Truncate(24*time.Hour) == b.At.UTC() {
		return b.At.UTC().Format(time.DateOnly)
	}
	return b.At.UTC().Format("2006-01-02T15:04Z")
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
