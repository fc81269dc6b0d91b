package agreement

import (
	_ "embed"
	"sync"
)

// demoFile is the demo agreement shipped in the binary: a ceasefire frozen
// along the line of contact of 22 August 2026, derived from DeepState and
// Natural Earth (sources and licences in demo/SOURCES.md and in the
// file's own "sources").
//
//go:embed demo/demo-2026-08-22.json
var demoFile []byte

// DemoFileName is the name the demo agreement is parsed under.
const DemoFileName = "demo-2026-08-22.json"

var demo = sync.OnceValues(func() (*Agreement, error) { return Parse(DemoFileName, demoFile) })

// Demo returns the demo agreement, parsed once.
func Demo() (*Agreement, error) { return demo() }
