package notify

import (
	"sync"
	"sync/atomic"
)

// DefaultBuffer is how many notifications a subscriber may fall behind
// before it is dropped. Procedure records come a handful a day; a burst
// (a vote closing, its determination, the obligations it creates) is tens.
const DefaultBuffer = 256

// Broker fans notifications out to live subscribers. Publish never
// blocks: a subscriber whose buffer is full is dropped (its channel
// closed, Dropped true) and catches up from the store. The zero value is
// not usable; build one with NewBroker.
type Broker struct {
	buffer int

	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	closed bool
}

// NewBroker makes a broker whose subscribers buffer up to buffer
// notifications (DefaultBuffer when buffer < 1).
func NewBroker(buffer int) *Broker {
	if buffer < 1 {
		buffer = DefaultBuffer
	}
	return &Broker{buffer: buffer, subs: map[*Subscription]struct{}{}}
}

// Subscription is one live subscriber.
type Subscription struct {
	// C receives the notifications the filter allows, in publish order.
	// It is closed when the subscriber is dropped, unsubscribed, or the
	// broker closes.
	C <-chan Notification

	c       chan Notification
	filter  func(marking string) bool
	dropped atomic.Bool
	b       *Broker
}

// Subscribe adds a subscriber that receives the notifications whose
// marking filter allows (the reader's CanSee). A closed broker returns a
// subscription whose channel is closed.
func (b *Broker) Subscribe(filter func(marking string) bool) *Subscription {
	c := make(chan Notification, b.buffer)
	s := &Subscription{C: c, c: c, filter: filter, b: b}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(c)
		return s
	}
	b.subs[s] = struct{}{}
	return s
}

// Dropped reports whether the subscriber was dropped for falling behind:
// it must resume from the store after the last sequence it received.
func (s *Subscription) Dropped() bool { return s.dropped.Load() }

// Close unsubscribes; C is closed. Closing twice is harmless.
func (s *Subscription) Close() {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if _, ok := s.b.subs[s]; ok {
		delete(s.b.subs, s)
		close(s.c)
	}
}

// Publish sends n to every subscriber whose filter allows it.
func (b *Broker) Publish(ns ...Notification) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range ns {
		for s := range b.subs {
			if s.filter != nil && !s.filter(n.Marking) {
				continue
			}
			select {
			case s.c <- n:
			default:
				s.dropped.Store(true)
				delete(b.subs, s)
				close(s.c)
			}
		}
	}
}

// Subscribers is how many subscribers are live.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Close ends every subscription (a server shutting down ends its
// streams) and refuses new ones.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		delete(b.subs, s)
		close(s.c)
	}
}
