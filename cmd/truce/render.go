package main

import (
	"context"

	"github.com/truce-mechanism/truce/agreement"
	"github.com/truce-mechanism/truce/fusion"
	"github.com/truce-mechanism/truce/server"
)

// newEventRenderer is the one way an event becomes the document the API
// serves, the store keeps and rebuild compares: serve and rebuild both
// use it, so a rebuild checks exactly what was served.
func newEventRenderer(versions *agreement.Versions, book *sourceBook) func(context.Context, fusion.Event) []byte {
	return func(_ context.Context, e fusion.Event) []byte { return server.EventDocument(e) }
}
