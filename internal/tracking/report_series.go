package tracking

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// hourlyFor is how long after its start a campaign's series goes by
// hour; by day after.
const hourlyFor = 48 * time.Hour

// campaignSeries reads people's clicks and opens by hour and buckets
// them: by hour from the hour of start (or of the first click, for a
// campaign never started) for 48 hours, by day after, up to the last
// hour with any. Hours and days without any are there with zeros, so a
// chart's bars stand for equal times.
func campaignSeries(ctx context.Context, tx *sql.Tx, id int64, start *time.Time) ([]Bucket, error) {
	// at is stored in UTC as "2006-01-02 15:04:05…": its first 13
	// characters are its hour.
	rows, err := tx.QueryContext(ctx, `SELECT substr(at, 1, 13), SUM(kind = 'c'), SUM(kind = 'o') FROM (
			SELECT at, 'c' AS kind FROM clicks WHERE campaign_id = ? AND machine = 0
			UNION ALL
			SELECT at, 'o' AS kind FROM opens WHERE campaign_id = ? AND machine = 0)
		GROUP BY 1 ORDER BY 1`, id, id)
	if err != nil {
		return nil, fmt.Errorf("report series of campaign %d: %w", id, err)
	}
	defer rows.Close()
	var hours []Bucket
	for rows.Next() {
		var hour string
		var b Bucket
		if err := rows.Scan(&hour, &b.Clicks, &b.Opens); err != nil {
			return nil, fmt.Errorf("report series of campaign %d: %w", id, err)
		}
		if b.At, err = time.ParseInLocation("2006-01-02 15", hour, time.UTC); err != nil {
			return nil, fmt.Errorf("report series of campaign %d: hour %q: %w", id, hour, err)
		}
		hours = append(hours, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report series of campaign %d: %w", id, err)
	}
	return buckets(hours, start), nil
}

// buckets turns the hours with activity, in order, into the series.
func buckets(hours []Bucket, start *time.Time) []Bucket {
	out := []Bucket{}
	if len(hours) == 0 {
		return out
	}
	first := hours[0].At
	if start != nil && start.UTC().Truncate(time.Hour).Before(first) {
		first = start.UTC().Truncate(time.Hour)
	}
	last := hours[len(hours)-1].At
	dailyFrom := first.Add(hourlyFor)
	i := 0
	for at := first; at.Before(dailyFrom) && !at.After(last); at = at.Add(time.Hour) {
		b := Bucket{At: at, Span: "hour"}
		for i < len(hours) && hours[i].At.Equal(at) {
			b.Clicks, b.Opens = b.Clicks+hours[i].Clicks, b.Opens+hours[i].Opens
			i++
		}
		out = append(out, b)
	}
	for at := dailyFrom; !at.After(last); {
		next := time.Date(at.Year(), at.Month(), at.Day()+1, 0, 0, 0, 0, time.UTC)
		b := Bucket{At: at, Span: "day"}
		for i < len(hours) && hours[i].At.Before(next) {
			b.Clicks, b.Opens = b.Clicks+hours[i].Clicks, b.Opens+hours[i].Opens
			i++
		}
		out = append(out, b)
		at = next
	}
	return out
}
