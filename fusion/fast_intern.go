package fusion

// Interning. Every report arrives with strings of its own (its source,
// its marking), decoded apart from those of every other report, though
// most repeat a few values. summarise and seenBy compare them member by
// member after every change: two strings that share their bytes compare
// equal at once (the runtime's memequal checks the pointers first),
// while equal strings held apart are compared byte by byte. So the engine
// keeps one copy of each value it has seen and gives reports that copy.
// It changes no value, only where the bytes lie.

// maxInterned bounds the copies kept: sources and markings are few, and
// past the bound a new value is only left as it came.
const maxInterned = 1 << 12

// interned is the engine's copy of s, made on first sight.
func (g *Engine) interned(s string) string {
	if t, ok := g.strings[s]; ok {
		return t
	}
	if g.strings == nil {
		g.strings = map[string]string{}
	}
	if len(g.strings) < maxInterned {
		g.strings[s] = s
	}
	return s
}
