package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/bulletinhq/bulletin/internal/tracking"
	"github.com/bulletinhq/bulletin/subscribers"
)

// reportCSVHeader names the columns of a campaign report's CSV: one row
// per figure, with section saying which part of the report it is
// ("total", "link", "article", "hour", "day"), so that a spreadsheet
// filters it.
var reportCSVHeader = []string{"section", "at", "url", "article_id", "title", "delivered", "clicks", "clickers", "opens", "machine_clicks", "machine_opens"}

// writeCampaignCSV writes a campaign report as CSV.
func writeCampaignCSV(w http.ResponseWriter, rep *tracking.CampaignReport) {
	rows := [][]string{reportCSVHeader, {"total", "", "", "", rep.Subject, num(rep.Delivered), num(rep.Clicks), num(rep.Clickers),
		num(rep.Opens), num(rep.MachineClicks), num(rep.MachineOpens)}}
	for _, l := range rep.Links {
		rows = append(rows, []string{"link", "", l.URL, "", "", "", num(l.Clicks), num(l.Clickers), "", "", ""})
	}
	for _, a := range rep.Articles {
		rows = append(rows, []string{"article", "", a.URL, strconv.FormatInt(a.ID, 10), a.Title, "", num(a.Clicks), num(a.Clickers), "", "", ""})
	}
	for _, b := range rep.Series {
		rows = append(rows, []string{b.Span, b.At.UTC().Format(time.RFC3339), "", "", "", "", num(b.Clicks), "", num(b.Opens), "", ""})
	}
	writeCSV(w, fmt.Sprintf("campaign-%d-report.csv", rep.ID), rows)
}

// writeListCSV writes a list report's ranking as CSV.
func writeListCSV(w http.ResponseWriter, rep *tracking.ListReport) {
	rows := [][]string{{"rank", "article_id", "title", "url", "clicks", "clickers", "digests"}}
	for i, a := range rep.Articles {
		rows = append(rows, []string{num(i + 1), strconv.FormatInt(a.ID, 10), a.Title, a.URL, num(a.Clicks), num(a.Clickers), num(a.Digests)})
	}
	writeCSV(w, "list-"+rep.List+"-report.csv", rows)
}

// writeCSV answers rows as a CSV download, every cell guarded against
// spreadsheet formulas as the other exports are (titles and URLs come
// from feeds, that is from anyone).
func writeCSV(w http.ResponseWriter, filename string, rows [][]string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	for _, row := range rows {
		for i, cell := range row {
			row[i] = subscribers.TextCell(cell)
		}
		cw.Write(row)
	}
	cw.Flush()
}

func num(n int) string { return strconv.Itoa(n) }
