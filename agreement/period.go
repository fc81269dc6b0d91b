package agreement

import (
	"encoding/json"
	"fmt"
	"time"
)

// Period is a span of time as records and the API write it: "14d" or
// "72h" when whole, else Go's form ("3h27m5s"), the way the agreement file
// writes its periods, rather than the integer nanoseconds encoding/json
// would give a time.Duration (a response time of 259200000000000 means
// nothing to a guarantor's desk officer).
type Period time.Duration

// Duration is the period as a time.Duration.
func (p Period) Duration() time.Duration { return time.Duration(p) }

func (p Period) String() string {
	d := time.Duration(p)
	if d > 0 && d%time.Hour == 0 {
		return FormatPeriod(d)
	}
	return d.String()
}

// MarshalJSON writes the period as a string.
func (p Period) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// UnmarshalJSON reads "14d", "72h", any Go duration ("90m"), or a number
// of nanoseconds (how such fields were once written).
func (p *Period) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var ns int64
		if err := json.Unmarshal(b, &ns); err != nil {
			return fmt.Errorf("a period is a string such as \"72h\" or \"14d\", not %s", b)
		}
		*p = Period(ns)
		return nil
	}
	if d, ok := parsePeriod(s); ok {
		*p = Period(d)
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a period; write hours or days, such as \"72h\" or \"14d\"", s)
	}
	*p = Period(d)
	return nil
}
