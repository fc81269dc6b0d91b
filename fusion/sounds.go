package fusion

// An observer that hears a firing hears it twice: the launch, then the
// impact (DECISIONS 39). When it states the same direction of fire for
// both, one statement is wrong, and association, which takes the reports
// in the order they arrive, turned round whichever came second. The
// order they were heard in says which is which far more often: in the
// simulator's violations the launch is heard first 1,067 times in 1,106
// (the impact first only when the observer stands by the impact and far
// from the launch, and the rounds fly fast). orderSounds puts the pair in
// that order.

// orderSounds makes, for each observer whose two sight lines in e state
// the same direction of fire and were resolved one to each end, the one
// heard first the launch and the other the impact. Each report is turned
// round at most once (flipped), so nothing oscillates. It says whether it
// changed e (then refreshed).
func (g *Engine) orderSounds(e *Event) bool {
	if e.group != "fire" {
		return false
	}
	changed := false
	for i := range e.members {
		a := &e.members[i]
		if !a.statedLine() {
			continue
		}
		for j := i + 1; j < len(e.members); j++ {
			b := &e.members[j]
			// Both reports stated the same direction (as sent: their
			// phases may have been turned since) and now stand for
			// different ends.
			if !b.statedLine() || b.key.Source != a.key.Source || b.obs.Fire != a.obs.Fire || a.phase == b.phase {
				continue
			}
			first, second := a, b
			if b.at < a.at || b.at == a.at && b.ord < a.ord {
				first, second = b, a
			}
			if first.phase == phaseLaunch {
				continue // already in the order heard
			}
			// Only a pair: an observer with more sight lines in the event
			// heard more than one firing (a dense front), and the order of
			// two of them says nothing of which end each is.
			if lines(e, a.key.Source) != 2 {
				continue
			}
			first.phase, second.phase = phaseLaunch, phaseImpact
			first.flipped, second.flipped = true, true
			changed = true
		}
	}
	if changed {
		e.Version++
		g.refresh(e)
	}
	return changed
}

// lines counts the sight lines source gave e.
func lines(e *Event, source string) int {
	n := 0
	for i := range e.members {
		if e.members[i].bearing != nil && e.members[i].key.Source == source {
			n++
		}
	}
	return n
}
