package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/bulletinhq/bulletin/internal/admins"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/prose"
	"github.com/bulletinhq/bulletin/subscribers"
)

// DefaultImportMaxBytes bounds a CSV upload when ImportMaxBytes is 0:
// about 300,000 readers. Bigger files go through bulletin import.
const DefaultImportMaxBytes = 32 << 20

// importPage is the upload form.
type importPage struct {
	adminPage
	Lists     []*subscribers.List
	List      string
	Confirmed bool
	// Reconfirm imports the rows the file marks confirmed as pending,
	// each asked again by mail; offered once the file was refused for
	// such rows (ConfirmedError).
	Reconfirm bool
	// OverwriteNames replaces the names of readers already stored with
	// the file's (subscribers.ImportOptions.OverwriteNames); unticked, a
	// stored name is kept and only a reader with none gets the file's.
	OverwriteNames bool
	ConfirmedError string
	Error          string
	// ListError is the list menu's: the file has no lists column and no
	// list was chosen. It shows next to the menu, not at the top: the
	// menu is what to change (with the file chosen again).
	ListError string
}

// needListMessage is ListError's text. The browser cannot keep a file
// across a refusal, so it says once that the file is to be chosen again.
const needListMessage = "The file has no lists column: choose the list to add its readers to here, then choose the file again and import."

// keptNameHint ends the report's note on a stored name the import kept:
// the form's box that replaces them.
const keptNameHint = "tick “Replace stored names” to replace them"

func (s *Server) importMaxBytes() int64 {
	if s.ImportMaxBytes > 0 {
		return s.ImportMaxBytes
	}
	return DefaultImportMaxBytes
}

func (s *Server) importSubscribersPage(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("job") {
		s.importJobPage(w, r)
		return
	}
	s.renderImport(w, r, http.StatusOK, &importPage{})
}

func (s *Server) renderImport(w http.ResponseWriter, r *http.Request, status int, p *importPage) {
	lists, err := s.Subscribers.Lists(r.Context())
	if err != nil {
		s.adminError(w, r, err)
		return
	}
	p.Lists = lists
	s.renderAdmin(w, r, status, "admin_subscriber_import", p)
}

// tooLargeMessage says what to do with a file over the limit.
func (s *Server) tooLargeMessage() string {
	return fmt.Sprintf("The file is larger than %s, the most an upload takes: split it into smaller files, or run bulletin import on the server.",
		byteSize(s.importMaxBytes()))
}

// limitImport bounds the upload at importMaxBytes (limitUpload).
func (s *Server) limitImport(next http.Handler) http.Handler {
	return s.limitUpload(next, s.importMaxBytes, func(w http.ResponseWriter, r *http.Request) {
		s.renderImport(w, r, http.StatusRequestEntityTooLarge, &importPage{Error: s.tooLargeMessage()})
	})
}

// limitUpload bounds an admin upload at limit() and the few KiB of the
// multipart parts around the file. A logged-in admin whose request says
// it is bigger gets tooLarge's page, which tells what to do; anyone else
// goes on to requireAdmin, which sends them to the login page. It runs
// before requireAdmin, which reads the form for its CSRF field: with
// limitBody's MaxBodyBytes instead, any file over 1 MiB failed there.
func (s *Server) limitUpload(next http.Handler, limit func() int64, tooLarge http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := limit()
		if r.ContentLength > n {
			if sess := s.cookieSession(r); sess != nil {
				tooLarge(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)))
				return
			}
			r.Body = http.NoBody
		}
		r.Body = http.MaxBytesReader(w, r.Body, n+4<<10)
		next.ServeHTTP(w, r)
	})
}

// cookieSession returns the live admin session of r's cookie, or nil.
func (s *Server) cookieSession(r *http.Request) *admins.Session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	sess, _ := s.Admins.Session(r.Context(), c.Value)
	return sess
}

// importSubscribersForm takes the upload and starts the import in the
// background, sending the browser to its progress page.
func (s *Server) importSubscribersForm(w http.ResponseWriter, r *http.Request) {
	p := &importPage{List: r.PostFormValue("list"), Confirmed: r.PostFormValue("confirmed") != "",
		Reconfirm: r.PostFormValue("reconfirm") != "", OverwriteNames: r.PostFormValue("overwrite_names") != ""}
	file, _, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		p.Error = "Choose a CSV file to upload."
		s.renderImport(w, r, http.StatusUnprocessableEntity, p)
		return
	} else if err != nil {
		s.adminError(w, r, err)
		return
	}
	defer file.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, io.LimitReader(file, s.importMaxBytes()+1)); err != nil {
		s.adminError(w, r, err)
		return
	}
	if int64(buf.Len()) > s.importMaxBytes() {
		p.Error = s.tooLargeMessage()
		s.renderImport(w, r, http.StatusRequestEntityTooLarge, p)
		return
	}
	if buf.Len() == 0 {
		p.Error = "The file is empty: choose a CSV file with a line per reader."
		s.renderImport(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	if p.List != "" {
		if _, err := s.Subscribers.ListBySlug(r.Context(), p.List); err != nil {
			p.Error = bulletin.ErrorMessage(err)
			s.renderImport(w, r, http.StatusUnprocessableEntity, p)
			return
		}
	}
	// Found before the import starts, the refusal is the form again with
	// the menu marked, rather than an "Import stopped" page to come back
	// from.
	if p.List == "" && subscribers.NeedsList(bytes.NewReader(buf.Bytes())) {
		p.ListError = needListMessage
		s.renderImport(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	if p.Confirmed && p.Reconfirm {
		p.ConfirmedError = "Tick one: they have consented (imported confirmed) or ask them again (imported pending), not both. Then choose the file again and import."
		s.renderImport(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	// A file that marks readers confirmed (an export) imported without
	// the consent box would make each pending and mail them all a
	// confirmation by surprise: the editor says which they mean.
	if !p.Confirmed && !p.Reconfirm {
		if n := subscribers.ConfirmedRows(bytes.NewReader(buf.Bytes())); n > 0 {
			p.ConfirmedError = fmt.Sprintf("The file marks %s confirmed. Tick the consent box to import them confirmed (nothing is mailed), "+
				"or “Ask them again” to import them pending, each mailed a confirmation. Then choose the file again and import. Nothing was imported.", prose.Count(n, "reader", "readers"))
			s.renderImport(w, r, http.StatusUnprocessableEntity, p)
			return
		}
	}
	opt := subscribers.ImportOptions{List: p.List, Confirmed: p.Confirmed, Confirms: s.Confirms,
		OverwriteNames: p.OverwriteNames, KeptNameHint: keptNameHint}
	job := s.imports.start(s, buf.Bytes(), opt, p.Reconfirm)
	http.Redirect(w, r, "/admin/subscribers/import?job="+job.id, http.StatusSeeOther)
}

// byteSize writes n bytes for people: "32 MB", "4 KB".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
