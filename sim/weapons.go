package sim

// A category groups the weapons the Minsk-style zones and the monitors'
// reports tell apart: it fixes how a salvo sounds and looks to each
// sensor, how far beyond the line it is aimed and how many rounds it
// holds. Ranges and calibres of the systems follow data/SOURCES.md and the
// manufacturers' published figures.
type category struct {
	ID    string // as in truth.json: small_arms, mortar, …
	Class string // intake schema weapon class
	Kind  string // what a report calls it: explosion, burst (shot for single-shot systems)

	// Ranges at which a sensor notices a round, metres.
	HearM      float64 // monitor patrol, ear
	AcousticM  float64 // acoustic array
	CamNightM  float64 // camera, muzzle flash or burst at night
	CamDayM    float64 // camera by day (smoke, dust)
	Radar      bool    // counter-battery radar tracks the projectile
	ImpactSeen bool    // the round explodes at its target (not small arms)

	SpeedMps    float64    // mean speed over the trajectory, for the time of flight
	DepthM      [2]float64 // aim point beyond the line of contact
	RoundsMean  float64    // rounds (or bursts) in one firing
	RoundsMax   int
	IntervalS   float64 // seconds between rounds of one weapon
	DispersionM float64 // spread of the impacts around the aim point

	OSINT float64 // chance an OSINT desk picks a firing up
}

// The categories, in the order truth.json and the rate tables use.
var categories = []*category{
	{ID: "small_arms", Class: "small_arms", Kind: "burst", HearM: 2000, AcousticM: 3000, CamNightM: 3000, CamDayM: 800,
		SpeedMps: 700, DepthM: [2]float64{50, 500}, RoundsMean: 5, RoundsMax: 60, IntervalS: 20, DispersionM: 30, OSINT: 0.01},
	{ID: "mortar", Class: "mortar", Kind: "explosion", HearM: 5000, AcousticM: 10000, CamNightM: 8000, CamDayM: 4000, Radar: true, ImpactSeen: true,
		SpeedMps: 140, DepthM: [2]float64{200, 2500}, RoundsMean: 5, RoundsMax: 40, IntervalS: 8, DispersionM: 60, OSINT: 0.08},
	{ID: "artillery_light", Class: "artillery", Kind: "explosion", HearM: 6000, AcousticM: 14000, CamNightM: 10000, CamDayM: 5000, Radar: true, ImpactSeen: true,
		SpeedMps: 350, DepthM: [2]float64{500, 5000}, RoundsMean: 5, RoundsMax: 30, IntervalS: 10, DispersionM: 100, OSINT: 0.1},
	{ID: "artillery_heavy", Class: "artillery", Kind: "explosion", HearM: 8000, AcousticM: 18000, CamNightM: 12000, CamDayM: 6000, Radar: true, ImpactSeen: true,
		SpeedMps: 330, DepthM: [2]float64{1000, 10000}, RoundsMean: 6, RoundsMax: 60, IntervalS: 12, DispersionM: 150, OSINT: 0.2},
	{ID: "mlrs", Class: "mlrs", Kind: "explosion", HearM: 8000, AcousticM: 20000, CamNightM: 15000, CamDayM: 7000, Radar: true, ImpactSeen: true,
		SpeedMps: 400, DepthM: [2]float64{1000, 10000}, RoundsMean: 12, RoundsMax: 40, IntervalS: 0.5, DispersionM: 400, OSINT: 0.35},
	{ID: "mlrs_heavy", Class: "mlrs", Kind: "explosion", HearM: 10000, AcousticM: 25000, CamNightM: 20000, CamDayM: 8000, Radar: true, ImpactSeen: true,
		SpeedMps: 500, DepthM: [2]float64{3000, 40000}, RoundsMean: 8, RoundsMax: 16, IntervalS: 1, DispersionM: 500, OSINT: 0.5},
	{ID: "tank", Class: "tank", Kind: "explosion", HearM: 5000, AcousticM: 8000, CamNightM: 8000, CamDayM: 4000, ImpactSeen: true,
		SpeedMps: 900, DepthM: [2]float64{200, 2000}, RoundsMean: 3, RoundsMax: 20, IntervalS: 15, DispersionM: 30, OSINT: 0.05},
}

func categoryByID(id string) *category {
	for _, c := range categories {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// system is one weapon system. Party "" means both sides field it; a
// system named for one party code is used only by that party, and when an
// agreement's parties are not UKR and RUS every system serves both.
type system struct {
	Cat       *category
	Name      string
	CaliberMM float64
	MinRangeM float64
	MaxRangeM float64
	Standoff  [2]float64 // firing position, metres behind the line
	Party     string
	Units     [2]int // guns, tubes or launchers in one position
	Shot      bool   // single aimed shots (kind "shot")
}

var systems = []*system{
	{Cat: categories[0], Name: "AK-74", CaliberMM: 5.45, MaxRangeM: 800, Standoff: [2]float64{100, 700}, Units: [2]int{1, 1}},
	{Cat: categories[0], Name: "PKM", CaliberMM: 7.62, MaxRangeM: 1500, Standoff: [2]float64{150, 900}, Units: [2]int{1, 1}},
	{Cat: categories[0], Name: "SVD", CaliberMM: 7.62, MaxRangeM: 1200, Standoff: [2]float64{150, 800}, Units: [2]int{1, 1}, Shot: true},

	{Cat: categories[1], Name: "2B14 Podnos", CaliberMM: 82, MinRangeM: 100, MaxRangeM: 4100, Standoff: [2]float64{500, 3000}, Units: [2]int{2, 4}},
	{Cat: categories[1], Name: "2B11 Sani", CaliberMM: 120, MinRangeM: 480, MaxRangeM: 7100, Standoff: [2]float64{1000, 5000}, Units: [2]int{2, 4}},
	{Cat: categories[1], Name: "M120-15 Molot", CaliberMM: 120, MinRangeM: 480, MaxRangeM: 7100, Standoff: [2]float64{1000, 5000}, Party: "UKR", Units: [2]int{2, 4}},

	{Cat: categories[2], Name: "D-44", CaliberMM: 85, MinRangeM: 500, MaxRangeM: 15600, Standoff: [2]float64{2000, 10000}, Units: [2]int{2, 4}},

	{Cat: categories[3], Name: "D-30", CaliberMM: 122, MinRangeM: 1000, MaxRangeM: 15400, Standoff: [2]float64{3000, 10000}, Units: [2]int{2, 6}},
	{Cat: categories[3], Name: "2S1 Gvozdika", CaliberMM: 122, MinRangeM: 1000, MaxRangeM: 15200, Standoff: [2]float64{3000, 10000}, Units: [2]int{2, 6}},
	{Cat: categories[3], Name: "2S3 Akatsiya", CaliberMM: 152, MinRangeM: 1500, MaxRangeM: 18500, Standoff: [2]float64{4000, 14000}, Units: [2]int{2, 6}},
	{Cat: categories[3], Name: "2S19 Msta-S", CaliberMM: 152, MinRangeM: 1500, MaxRangeM: 24700, Standoff: [2]float64{6000, 18000}, Party: "RUS", Units: [2]int{2, 6}},
	{Cat: categories[3], Name: "M777", CaliberMM: 155, MinRangeM: 2000, MaxRangeM: 24000, Standoff: [2]float64{6000, 18000}, Party: "UKR", Units: [2]int{2, 4}},
	{Cat: categories[3], Name: "2S7 Pion", CaliberMM: 203, MinRangeM: 3000, MaxRangeM: 37500, Standoff: [2]float64{10000, 30000}, Units: [2]int{1, 3}},
	// 100 mm sits in both Minsk bands (DECISIONS 12).
	{Cat: categories[3], Name: "MT-12 Rapira", CaliberMM: 100, MinRangeM: 500, MaxRangeM: 8200, Standoff: [2]float64{1500, 6000}, Units: [2]int{2, 4}},

	{Cat: categories[4], Name: "BM-21 Grad", CaliberMM: 122, MinRangeM: 4000, MaxRangeM: 20400, Standoff: [2]float64{4000, 15000}, Units: [2]int{1, 4}},
	{Cat: categories[4], Name: "RM-70", CaliberMM: 122, MinRangeM: 4000, MaxRangeM: 20400, Standoff: [2]float64{4000, 15000}, Party: "UKR", Units: [2]int{1, 3}},
	{Cat: categories[4], Name: "9K51M Tornado-G", CaliberMM: 122, MinRangeM: 4000, MaxRangeM: 40000, Standoff: [2]float64{6000, 25000}, Party: "RUS", Units: [2]int{1, 3}},

	{Cat: categories[5], Name: "BM-27 Uragan", CaliberMM: 220, MinRangeM: 10000, MaxRangeM: 35000, Standoff: [2]float64{8000, 28000}, Units: [2]int{1, 3}},
	// Bureviy is an Uragan on a new chassis: a name the demo agreement's
	// heavy-MLRS list does not carry, so only the 35 km MLRS band holds it.
	{Cat: categories[5], Name: "Bureviy", CaliberMM: 220, MinRangeM: 10000, MaxRangeM: 35000, Standoff: [2]float64{8000, 28000}, Party: "UKR", Units: [2]int{1, 2}},
	{Cat: categories[5], Name: "BM-30 Smerch", CaliberMM: 300, MinRangeM: 20000, MaxRangeM: 70000, Standoff: [2]float64{15000, 50000}, Units: [2]int{1, 3}},
	{Cat: categories[5], Name: "9K515 Tornado-S", CaliberMM: 300, MinRangeM: 20000, MaxRangeM: 120000, Standoff: [2]float64{30000, 90000}, Party: "RUS", Units: [2]int{1, 3}},

	{Cat: categories[6], Name: "T-72B3", CaliberMM: 125, MinRangeM: 200, MaxRangeM: 4000, Standoff: [2]float64{500, 3000}, Party: "RUS", Units: [2]int{2, 5}},
	{Cat: categories[6], Name: "T-64BV", CaliberMM: 125, MinRangeM: 200, MaxRangeM: 4000, Standoff: [2]float64{500, 3000}, Party: "UKR", Units: [2]int{2, 5}},
	{Cat: categories[6], Name: "T-80BV", CaliberMM: 125, MinRangeM: 200, MaxRangeM: 4000, Standoff: [2]float64{500, 3000}, Units: [2]int{2, 5}},
}

// systemsFor lists the systems a party fields in a category. Party-specific
// systems apply only when the agreement's parties are the ones they name.
func systemsFor(cat *category, party string, namedParties bool) []*system {
	var out []*system
	for _, s := range systems {
		if s.Cat != cat {
			continue
		}
		if s.Party == "" || !namedParties || s.Party == party {
			out = append(out, s)
		}
	}
	return out
}

// misidentify gives the class a UAV analyst or monitor might wrongly
// report for a weapon of class c: self-propelled guns look like tanks,
// launchers under nets like guns.
func misidentify(c string, pick float64) string {
	var alts [2]string
	switch c {
	case "artillery":
		alts = [2]string{"tank", "mlrs"}
	case "mlrs", "mortar":
		alts = [2]string{"artillery", "artillery"}
	case "tank":
		alts = [2]string{"artillery", "anti_tank"}
	case "small_arms":
		alts = [2]string{"heavy_machine_gun", "heavy_machine_gun"}
	default:
		return "unknown"
	}
	if pick < 0.5 {
		return alts[0]
	}
	return alts[1]
}

// guessSystem is what an observer names for a weapon of a class it
// assessed (rightly or wrongly): a typical system and calibre of that
// class.
func guessSystem(class string, pick float64) (name string, caliber float64) {
	switch class {
	case "artillery":
		if pick < 0.5 {
			return "2S1 Gvozdika", 122
		}
		return "2S3 Akatsiya", 152
	case "mlrs":
		return "BM-21 Grad", 122
	case "tank":
		return "T-72", 125
	case "mortar":
		if pick < 0.5 {
			return "", 82
		}
		return "", 120
	case "anti_tank":
		return "MT-12 Rapira", 100
	}
	return "", 0
}
