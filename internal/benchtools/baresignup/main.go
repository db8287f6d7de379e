// Command baresignup is the yardstick of the signup benchmark
// (cmd/bulletin/bench_signup_test.go): the least a server can do for a
// JSON signup. It decodes the same body as POST /api/v1/subscriptions,
// inserts one row into a subscribers table like Bulletin's, in SQLite with
// the same DSN pragmas as internal/sqlite, one row per transaction on one
// write connection, and answers 202 after the commit. It does no
// validation, sends no mail and queues nothing.
//
//	baresignup -addr 127.0.0.1:8099 -db /tmp/bare.db
//
// It prints "listening on ADDR" once it accepts connections and stops on
// SIGTERM or SIGINT.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

const schema = `CREATE TABLE IF NOT EXISTS subscribers (
	id              INTEGER PRIMARY KEY,
	email           TEXT NOT NULL,
	email_key       TEXT NOT NULL UNIQUE,
	name            TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL DEFAULT 'pending',
	attributes      TEXT NOT NULL DEFAULT '{}',
	confirm_sent_at DATETIME,
	confirm_queued  INTEGER NOT NULL DEFAULT 0,
	created_at      DATETIME NOT NULL,
	updated_at      DATETIME NOT NULL
)`

// dsn is internal/sqlite's write DSN.
func dsn(path string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_busy_timeout", "5000")
	q.Set("_foreign_keys", "on")
	q.Set("_stmt_cache_size", "64")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// signup is the body of POST /api/v1/subscriptions.
type signup struct {
	Email      string         `json:"email"`
	Name       string         `json:"name"`
	Lists      []string       `json:"lists"`
	Attributes map[string]any `json:"attributes"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	path := flag.String("db", "bare.db", "SQLite file")
	flag.Parse()
	if err := run(*addr, *path); err != nil {
		fmt.Fprintln(os.Stderr, "baresignup:", err)
		os.Exit(1)
	}
}

func run(addr, path string) error {
	db, err := sql.Open("sqlite3", dsn(path))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/subscriptions", func(w http.ResponseWriter, r *http.Request) {
		var in signup
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil || in.Email == "" {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		now := time.Now().UTC()
		_, err := db.ExecContext(r.Context(), `INSERT INTO subscribers
			(email, email_key, name, status, confirm_sent_at, confirm_queued, created_at, updated_at)
			VALUES (?, ?, ?, 'pending', ?, 1, ?, ?)`, in.Email, strings.ToLower(in.Email), in.Name, now, now, now)
		if err != nil {
			http.Error(w, `{"error":"insert failed"}`, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte(`{"status":"pending"}` + "\n"))
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() { <-ctx.Done(); srv.Close() }()
	fmt.Printf("listening on %s\n", ln.Addr())
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}
