package web

import (
	"embed"
	"html/template"
	"io"
	"io/fs"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

var templates = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// Static is the tree served under /static/.
func Static() fs.FS {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embed directive guarantees the folder
	}
	return sub
}

// Home is what the start page shows.
type Home struct {
	Demo      bool
	Version   string
	Agreement *AgreementSummary
	Sources   int
}

// AgreementSummary names the agreement version in force.
type AgreementSummary struct {
	ID, Title, EffectiveFrom, SHA256 string
	Version                          int
	Parties                          []string
	Lines, Zones, Rules              int
}

// RenderHome writes the start page.
func RenderHome(w io.Writer, h Home) error {
	return templates.ExecuteTemplate(w, "home.html", h)
}
