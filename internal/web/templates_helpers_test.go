package web

import (
	"sync"

	"github.com/bulletinhq/bulletin/templates"
)

// loadTemplates gives a test's server the embedded templates, as
// templates.Load("") does. They are parsed once for the package, into
// templates no test renders, and each call returns a copy of them
// (Templates.Clone) with a brand of its own: parsing them all again took
// a good part of most tests' time under the race detector.
func loadTemplates() (*templates.Templates, error) {
	parsedTemplates.once.Do(func() { parsedTemplates.t, parsedTemplates.err = templates.Load("") })
	if parsedTemplates.err != nil {
		return nil, parsedTemplates.err
	}
	return parsedTemplates.t.Clone(), nil
}

var parsedTemplates struct {
	once sync.Once
	t    *templates.Templates
	err  error
}
