#!/usr/bin/env bash
# The PostGIS baseline of truce's fusion benchmark (issue 3, deliverable 6):
# the correlation a team would otherwise build in SQL — group the reports of
# one physical event by time and place, then give each group a place, a time
# span and a count — run on the simulator's reports, step by step, timed;
# then truce's own fusion on the same file in the same run (fuse/), and the
# ratio of the two rates. See README.md beside this file.
#
#   tools/bench/postgis/run.sh [DIR]
#
# DIR (default $TMPDIR/truce-postgis-bench) holds the simulator's files;
# they are made when observations.ndjson is missing. Results go to stdout and
# DIR/postgis-result.txt: first one line of key=value pairs (ratio,
# truce_obs_per_s, postgis_obs_per_s, both F1s, …), then a readable block.
# Environment (defaults in brackets):
#   TRUCE_BENCH_SCENARIO [escalation]  TRUCE_BENCH_SEED [1]
#   TRUCE_BENCH_DURATION [24h]         TRUCE_BENCH_SCALE [132]
#   TRUCE_BENCH_POSTGRES [postgres://postgres@127.0.0.1:5432/test?sslmode=disable]
#   TRUCE_BENCH_SCHEMA [truce_postgis_bench] (dropped and recreated each run)
#   TRUCE_BENCH_KEEP [0]: 1 keeps the schema afterwards, for inspection
#   TRUCE_BENCH_WORK_MEM [256MB]: work_mem of the pipeline's sessions
#   TRUCE_BENCH_SESSIONS [nproc]: concurrent sessions of the attach and crossing probes
#   TRUCE_BENCH_SQL_VARS []: "name=value …" overriding the pipeline's parameters
#   TRUCE_BENCH_FUSE [1]: 0 skips truce's side (PostGIS alone, no ratio)
#   TRUCE_BENCH_FUSE_REPEAT [1]: fuse this many times, keep the fastest
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
dir=${1:-${TMPDIR:-/tmp}/truce-postgis-bench}
scenario=${TRUCE_BENCH_SCENARIO:-escalation}
seed=${TRUCE_BENCH_SEED:-1}
duration=${TRUCE_BENCH_DURATION:-24h}
scale=${TRUCE_BENCH_SCALE:-132}
dsn=${TRUCE_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
schema=${TRUCE_BENCH_SCHEMA:-truce_postgis_bench}
keep=${TRUCE_BENCH_KEEP:-0}
work_mem=${TRUCE_BENCH_WORK_MEM:-256MB}
sessions=${TRUCE_BENCH_SESSIONS:-$(nproc)}
fuse=${TRUCE_BENCH_FUSE:-1}
fuse_repeat=${TRUCE_BENCH_FUSE_REPEAT:-1}

# The pipeline's parameters, passed to every SQL step as psql variables.
# They started from truce's fusion defaults of the time (fusion/engine.go:
# FireSlack 90 s, PlaceGate 2 h, PlaceDistanceM 1500 m) and were tuned on
# the escalation at scale 10 for F1 (eps_m 700–1500, slack_s 60–240,
# seed_tsig_s, ray_m tried); min_seeds=1 gains ~0.05 F1 for ~45 % more
# time, and is left out so that the baseline's rate is its best.
params=(
	-v srid=32636            # UTM 36N: metres over the demo agreement's front (32–39° E)
	-v ray_m=20000           # a bearing without range_m reaches this far (sensors hear ≤ 21 km)
	-v slack_s=150           # fire's time slack beyond 3 sigma: rounds fly, sound travels (tuned: 60–240 tried)
	-v place_gate_s=7200     # weapons seen, restrictions (truce: PlaceGate)
	-v place_m=1500          # their distance (truce: PlaceDistanceM)
	-v default_sigma_m=1000  # a fix without CEP (truce: defaultFixSigmaM)
	-v eps_m=1000            # DBSCAN reach between seeds; a cluster's own radius
	-v min_seeds=2           # DBSCAN minpoints for crossings and fixes (a lone crossing is a ghost)
	-v bucket_s=120          # DBSCAN time partition for fire
	-v seed_sigma_m=1000     # fixes at most this uncertain seed clusters...
	-v seed_tsig_s=60        # ...and at most this late or early
)
# TRUCE_BENCH_SQL_VARS, e.g. "eps_m=1500 min_seeds=1", overrides any of them.
for v in ${TRUCE_BENCH_SQL_VARS:-}; do
	params+=(-v "$v")
done

say() { printf '%s\n' "$*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# --- PostGIS from Debian, once ---------------------------------------------
psql_() { psql "$dsn" -X -q -v ON_ERROR_STOP=1 "$@"; }
export PGOPTIONS="-c client_min_messages=warning"
has_postgis() { [ "$(psql_ -Atc "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")" = 1 ]; }

if ! has_postgis && ! dpkg-query -W -f='${Status}' postgresql-15-postgis-3 2>/dev/null | grep -q 'install ok installed'; then
	say "installing postgresql-15-postgis-3 from Debian's packages…"
	sudo=()
	[ "$(id -u)" = 0 ] || sudo=(sudo)
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15-postgis-3 >&2
fi
if ! has_postgis; then
	say "run.sh: the server at $dsn offers no postgis extension (is it PostgreSQL 15 on this machine?)"
	exit 1
fi

# --- the data ----------------------------------------------------------------
mkdir -p "$dir"
if [ ! -s "$dir/observations.ndjson" ]; then
	say "simulating $scenario seed $seed, $duration at scale $scale into $dir…"
	(cd "$root" && go run ./cmd/truce simulate --scenario "$scenario" --seed "$seed" \
		--duration "$duration" --scale "$scale" --out "$dir") >&2
fi
# What was simulated, from the truth's header (the files may be older than
# this run's settings).
about="$scenario seed $seed, $duration, scale $scale"
if [ -s "$dir/truth.json" ]; then
	cfg=$(head -c 4096 "$dir/truth.json" | tr -d '\n' | grep -o '"config": *{[^}]*}' || true)
	field() { printf '%s' "$cfg" | grep -o "\"$1\": *[^,}]*" | head -1 | sed 's/^[^:]*: *//; s/"//g'; }
	[ -n "$cfg" ] && about="$(field scenario) seed $(field seed), $(field duration), scale $(field scale)"
fi
loader=$(mktemp -d)
trap 'rm -rf "$loader"' EXIT
(cd "$root" && go build -o "$loader/load" ./tools/bench/postgis/load && go build -o "$loader/fuse" ./tools/bench/postgis/fuse)

# --- a schema of our own -------------------------------------------------------
# PostGIS goes into our schema unless the database already has it elsewhere;
# then that schema is on the search path too (and is left alone).
psql_ -c "DROP SCHEMA IF EXISTS $schema CASCADE" -c "CREATE SCHEMA $schema" \
	-c "CREATE EXTENSION IF NOT EXISTS postgis SCHEMA $schema"
extschema=$(psql_ -Atc "SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'postgis'")
export PGOPTIONS="$PGOPTIONS -c search_path=$schema,$extschema -c work_mem=$work_mem"
cleanup() {
	if [ "$keep" != 1 ]; then
		psql_ -c "DROP SCHEMA IF EXISTS $schema CASCADE"
	else
		say "kept schema $schema (TRUCE_BENCH_KEEP=1); drop it with: DROP SCHEMA $schema CASCADE"
	fi
}
psql_ -f "$here/sql/00-tables.sql"

# --- load (timed apart: a store fills as reports arrive) ------------------------
truth=()
[ -s "$dir/truth.json" ] && truth=(-truth "$dir/truth.json")
t0=$(now)
"$loader/load" -observations "$dir/observations.ndjson" "${truth[@]}" |
	psql_ -c "COPY obs FROM STDIN WITH (FORMAT csv)"
psql_ -c "ALTER TABLE obs ADD PRIMARY KEY (seq)" -c "ANALYZE obs"
load_s=$(elapsed "$t0" "$(now)")
observations=$(psql_ -Atc "SELECT count(*) FROM obs")
say "loaded $observations reports in ${load_s} s"

# --- the pipeline, step by step ------------------------------------------------
# Each step is one or more SQL files; the heavy probes (attach.sql in steps
# "attach" and "attach2", crossing.sql in "crossings") run in $sessions
# sessions at once (one per core), each taking its share of the reports:
# PostgreSQL 15 does not run them in parallel by itself (see attach.sql).
sql() { psql_ "${params[@]}" "$@"; }
parallel() { # FILE [psql args…]
	local f=$1 pids=() p
	shift
	for ((p = 0; p < sessions; p++)); do
		sql "$@" -v part="$p" -v parts="$sessions" -f "$here/sql/$f" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || { kill "${pids[@]}" 2>/dev/null; return 1; }
	done
}
step() {
	case $1 in
	measure) sql -f "$here/sql/10-measure.sql" ;;
	seeds) sql -f "$here/sql/20-seeds.sql" ;;
	attach) sql -f "$here/sql/30-attach.sql" && parallel attach.sql -v pass=1 && sql -c "ANALYZE assign" ;;
	crossings) sql -f "$here/sql/40-crossings.sql" && parallel crossing.sql && sql -f "$here/sql/45-cross-clusters.sql" ;;
	attach2) parallel attach.sql -v pass=2 && sql -c "ANALYZE assign" ;;
	events) sql -f "$here/sql/50-events.sql" ;;
	esac
}
steps=(measure seeds attach crossings attach2 events)
declare -A secs
start=$(now)
for s in "${steps[@]}"; do
	t=$(now)
	step "$s"
	secs[$s]=$(elapsed "$t" "$(now)")
	say "  $s: ${secs[$s]} s"
done
total=$(elapsed "$start" "$(now)")

read -r clusters located multi <<<"$(psql_ -At -F ' ' -c \
	"SELECT count(*), count(geom), count(*) FILTER (WHERE reports > 1) FROM ev")"
read -r crossings seeds assigned <<<"$(psql_ -At -F ' ' -c \
	"SELECT (SELECT count(*) FROM crossing), (SELECT count(*) FROM cl), (SELECT count(*) FROM assign)")"
score=""
if [ ${#truth[@]} -gt 0 ]; then
	"$loader/load" -events "$dir/truth.json" | psql_ -c "COPY truth_event FROM STDIN WITH (FORMAT csv)"
	score=$(psql_ -At -f "$here/sql/90-score.sql")
fi
pgv=$(psql_ -Atc "SELECT current_setting('server_version') || ', PostGIS ' || postgis_lib_version()")
cleanup # before truce's side, so PostgreSQL sits idle while it runs

# --- truce's fusion on the same file, same machine, same run -----------------
# PostgreSQL is idle by now (the schema is dropped, unless kept).
fuse_line=""
if [ "$fuse" = 1 ]; then
	say "truce fusion on the same $observations reports…"
	fuse_line=$("$loader/fuse" -observations "$dir/observations.ndjson" "${truth[@]}" -repeat "$fuse_repeat")
fi
kv() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "NaN"; else printf "%.2f", a / b }'; }
rate() { awk -v n="$observations" -v s="$1" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

pg_rate=$(rate "$total")
pg_e2e_rate=$(rate "$(awk -v a="$total" -v b="$load_s" 'BEGIN { print a + b }')")
pg_f1=$(kv f1 "$score")
tr_rate=$(kv truce_obs_per_s "$fuse_line")
tr_e2e_rate=$(kv truce_decode_fuse_obs_per_s "$fuse_line")
tr_f1=$(kv truce_f1 "$fuse_line")
ratio=$(div "$tr_rate" "$pg_rate")
ratio_e2e=$(div "$tr_e2e_rate" "$pg_e2e_rate")
if [ -n "$fuse_line" ] && [ "$(kv truce_observations "$fuse_line")" != "$observations" ]; then
	say "run.sh: truce read $(kv truce_observations "$fuse_line") reports, PostgreSQL $observations"
	exit 1
fi

line="observations=$observations ratio=$ratio truce_obs_per_s=${tr_rate:-NaN} postgis_obs_per_s=$pg_rate"
line+=" truce_f1=${tr_f1:-NaN} postgis_f1=${pg_f1:-NaN}"
line+=" ratio_with_decode_and_load=$ratio_e2e truce_decode_fuse_obs_per_s=${tr_e2e_rate:-NaN} postgis_load_pipeline_obs_per_s=$pg_e2e_rate"
line+=" postgis_seconds=$total clusters=$clusters"
for s in "${steps[@]}"; do
	line+=" ${s}_seconds=${secs[$s]}"
done
line+=" load_seconds=$load_s"
[ -n "$score" ] && line+=" $(printf '%s' "$score" | sed 's/\([a-z_0-9]*\)=/postgis_\1=/g')"
[ -n "$fuse_line" ] && line+=" $fuse_line"

{
	echo "$line"
	echo
	echo "Fusion benchmark: $about ($dir); $observations reports"
	echo "PostgreSQL $pgv; $(nproc) cores; $(go version | cut -d' ' -f3)"
	echo
	echo "PostGIS pipeline ($sessions sessions in the attach and crossing probes, work_mem $work_mem):"
	echo "  load (NDJSON → decode + validate → CSV → COPY, primary key): ${load_s} s — not in the pipeline's rate"
	for s in "${steps[@]}"; do
		printf '  %-10s %8s s  %10s obs/s\n' "$s" "${secs[$s]}" "$(rate "${secs[$s]}")"
	done
	printf '  %-10s %8s s  %10s obs/s   (with the load: %s obs/s)\n' total "$total" "$pg_rate" "$pg_e2e_rate"
	echo "  $observations reports → $clusters events ($multi of more than one report, $located located);"
	echo "  $crossings sight-line crossings, $seeds seed clusters, $assigned measurements attached"
	[ -n "$score" ] && echo "  against the truth (majority matching, as fusion/sim_test.go): $score"
	if [ -n "$fuse_line" ]; then
		echo
		echo "truce fusion (fusion.NewEngine(fusion.Config{}), one goroutine, reports in file order):"
		printf '  decode + validate  %8s s\n' "$(kv truce_decode_seconds "$fuse_line")"
		printf '  fuse               %8s s  %10s obs/s   (with decoding: %s obs/s)\n' \
			"$(kv truce_fuse_seconds "$fuse_line")" "$tr_rate" "$tr_e2e_rate"
		echo "  $observations reports → $(kv truce_events "$fuse_line") events"
		[ -n "$score" ] && echo "  against the truth: $(printf '%s' "$fuse_line" | tr ' ' '\n' | sed -n 's/^truce_\(precision\|recall\|f1\|loc_median_m\|true_observed_events\)=/\1=/p' | tr '\n' ' ' | sed 's/ $//')"
		echo
		echo "ratio, truce fusion ÷ PostGIS pipeline: $ratio× ($tr_rate vs $pg_rate obs/s); F1 $tr_f1 vs ${pg_f1:-?}"
		echo "ratio with decoding (truce) and the load (PostGIS): $ratio_e2e× ($tr_e2e_rate vs $pg_e2e_rate obs/s)"
	fi
} | tee "$dir/postgis-result.txt"
