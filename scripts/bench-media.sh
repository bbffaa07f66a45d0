#!/usr/bin/env bash
# Benchmarks the media library, side by side with its anchors, in one run.
#
# 1. Processing: the same photos (a 12-megapixel JPEG, a large PNG, an
#    animated GIF, made here with Pillow) turned into the same files by
#    clinic-cms (an upload: stripped original, 320–1920 in WebP and the
#    original's format) and by libvips' `vipsthumbnail` (Debian package
#    libvips-tools: the engine under sharp, which Strapi and Payload use),
#    each the median of BENCH_MEDIA_RUNS runs; and the server's peak memory
#    during those uploads, above idle.
# 2. Serving a stored variant: clinic-cms against the floor
#    (benches/floor.rs serving the same bytes from memory), wrk, 64
#    connections, alternately BENCH_REPEAT times, medians.
# 3. Warm article reads while uploads run back to back: p99 against idle.
# 4. What AVIF would cost: libvips' AVIF encoder on one 1280-wide variant.
#
# Usage: scripts/bench-media.sh [seconds per wrk run, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-5}"
REPEAT="${BENCH_REPEAT:-3}"
RUNS="${BENCH_MEDIA_RUNS:-5}"
PORT="${BENCH_PORT:-18190}"
FLOOR_PORT=$((PORT + 2))
BASE="http://127.0.0.1:$PORT"
for tool in vipsthumbnail wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install libvips-tools wrk curl)" >&2; exit 1; }
done

cargo build --release --quiet --bin clinic-cms --example floor
WORK="$(mktemp -d)"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
export DATABASE_URL="sqlite://$WORK/bench.db" MEDIA_DIR="$WORK/media" RUST_LOG=error \
  ADMIN_EMAIL=bench@clinic.test ADMIN_PASSWORD="bench password 123" \
  JWT_SECRET="bench-secret-bench-secret-bench-secret" MEDIA_MAX_MB=64

echo "== making the photos (Pillow, in a virtualenv)" >&2
python3 -m venv "$WORK/venv" >&2
"$WORK/venv/bin/pip" install -q pillow >&2
"$WORK/venv/bin/python" - "$WORK" <<'PY'
import sys
from PIL import Image, ImageFilter
work = sys.argv[1]
def photo(w, h):
    # Noise, blurred and tinted by gradients: a photo's entropy, roughly.
    bands = []
    for i, scale in enumerate((48, 64, 80)):
        noise = Image.effect_noise((w, h), scale).filter(ImageFilter.GaussianBlur(0.4 + 0.3 * i))
        grad = Image.linear_gradient("L").resize((w, h)).rotate(90 * i, expand=False).resize((w, h))
        bands.append(Image.blend(noise, grad, 0.3))
    return Image.merge("RGB", bands)
photo(4000, 3000).save(f"{work}/photo.jpg", quality=90)
photo(3000, 2000).save(f"{work}/large.png", compress_level=6)
small = photo(480, 270)
frames = [small.rotate(i * 12).convert("P", palette=Image.ADAPTIVE) for i in range(30)]
frames[0].save(f"{work}/anim.gif", save_all=True, append_images=frames[1:], duration=60, loop=0)
PY

BIND_ADDR="127.0.0.1:$PORT" ./target/release/clinic-cms & PID=$!; PIDS+=("$PID")
until curl -sf "$BASE/readyz" >/dev/null; do
  kill -0 "$PID" 2>/dev/null || { echo "clinic-cms exited before it was ready" >&2; exit 1; }
  sleep 0.01
done
TOKEN=$(curl -s -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"bench@clinic.test","password":"bench password 123"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
UPLOADS=0
# upload FILE: a copy made unique (bytes after the image's end, which
# decoders ignore), so no upload is answered from an earlier identical one.
upload() {
  UPLOADS=$((UPLOADS + 1))
  local copy="$WORK/up-$UPLOADS.${1##*.}"
  { cat "$1"; printf 'run %s %s' "$UPLOADS" "$RANDOM"; } >"$copy"
  curl -s -o "$WORK/upload.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -F "file=@$copy" -F "alt=bench" "$BASE/api/v1/admin/media"
  rm -f "$copy"
}
ours() { # FILE -> median ms of an upload
  local i t times=()
  for ((i = 0; i < RUNS; i++)); do
    t=$(date +%s%N)
    [ "$(upload "$1")" = 201 ] || { echo "upload of $1 failed: $(cat "$WORK/upload.json")" >&2; exit 1; }
    times+=("$(ms "$t")")
  done
  printf '%s\n' "${times[@]}" | median
}
vips_set() { # FILE EXT [WIDTHS] [LOADER OPTIONS] -> median ms of the same files by libvips
  local i t w times=() out="$WORK/vips"
  mkdir -p "$out"
  for ((i = 0; i < RUNS; i++)); do
    t=$(date +%s%N)
    vips copy "$1${4:-}" "$out/original.$2[strip]"
    for w in ${3-320 640 960 1280 1920}; do
      vipsthumbnail "$1" --size "${w}x" -o "$out/$w.$2[strip]"
      vipsthumbnail "$1" --size "${w}x" -o "$out/$w.webp[Q=80,strip]"
    done
    times+=("$(ms "$t")")
  done
  printf '%s\n' "${times[@]}" | median
}

IDLE_RSS=$(awk '/VmRSS/{print $2}' /proc/$PID/status)
echo
echo "| photo | clinic-cms upload (ms) | libvips, same files (ms) | ratio |"
echo "| --- | --- | --- | --- |"
for input in "photo.jpg|jpg|12 MP JPEG (4000 × 3000)" "large.png|png|PNG (3000 × 2000)"; do
  IFS='|' read -r file ext label <<<"$input"
  o=$(ours "$WORK/$file"); v=$(vips_set "$WORK/$file" "$ext")
  echo "| $label | $o | $v | $(python3 -c "print(f'{$o/$v:.2f}')") |"
done
o=$(ours "$WORK/anim.gif")
v=$(vips_set "$WORK/anim.gif" gif "" "[n=-1]")
echo "| animated GIF (480 × 270, 30 frames: the stripped original only) | $o | $v | $(python3 -c "print(f'{$o/$v:.2f}')") |"
PEAK_RSS=$(awk '/VmHWM/{print $2}' /proc/$PID/status)
echo
echo "server memory: idle ${IDLE_RSS} kB, peak during the uploads ${PEAK_RSS} kB: $(( (PEAK_RSS - IDLE_RSS) / 1024 )) MB above idle"

# A public photo's 640-wide WebP: clinic-cms and the floor serving its bytes.
ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["id"])' "$WORK/upload.json")
upload "$WORK/photo.jpg" >/dev/null
ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["id"])' "$WORK/upload.json")
curl -s -o /dev/null -X PATCH -H "Authorization: Bearer $TOKEN" -H 'If-Match: *' \
  -H 'content-type: application/json' -d '{"public": true}' "$BASE/api/v1/admin/media/$ID"
VARIANT=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]; print(d["url"].rsplit("/",1)[0] + "/640.webp")' "$WORK/upload.json")
mkdir -p "$WORK/canned"
curl -s -D "$WORK/h" -o "$WORK/canned/variant.json" "$BASE$VARIANT"
awk -F': ' 'tolower($1)=="etag"{print $2}' "$WORK/h" | tr -d '\r' >"$WORK/canned/variant.etag"
echo "$VARIANT" >"$WORK/canned/variant.path"
./target/release/examples/floor "127.0.0.1:$FLOOR_PORT" "$WORK/canned" & PIDS+=("$!")
until curl -sf "http://127.0.0.1:$FLOOR_PORT$VARIANT" >/dev/null; do sleep 0.01; done

measure() { # URL -> "req/s p50 p99"
  local out
  out=$(wrk -t2 -c64 -d"${DURATION}s" --latency "$1")
  echo "$(awk '/Requests\/sec/{printf "%d", $2}' <<<"$out") $(awk '$1=="50%"{print $2}' <<<"$out") $(awk '$1=="99%"{print $2}' <<<"$out")"
}
median_line() { sort -n | awk '{line[NR]=$0} END {print line[int((NR+1)/2)]}'; }
a=(); b=()
for ((i = 0; i < REPEAT; i++)); do
  a+=("$(measure "http://127.0.0.1:$FLOOR_PORT$VARIANT")")
  b+=("$(measure "$BASE$VARIANT")")
done
read -r f_rps _ f_p99 <<<"$(printf '%s\n' "${a[@]}" | median_line)"
read -r rps p50 p99 <<<"$(printf '%s\n' "${b[@]}" | median_line)"
echo
echo "| serving (64 connections) | clinic-cms req/s | p50 | p99 | floor req/s | floor p99 | ratio |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
echo "| GET 640.webp ($(stat -c %s "$WORK/canned/variant.json") bytes) | $rps | $p50 | $p99 | $f_rps | $f_p99 | $(python3 -c "print(f'{$rps/$f_rps:.2f}')") |"

# Warm article reads, idle and while uploads run back to back: each the
# median of REPEAT runs; the uploads go on through all the busy runs.
ARTICLE="$BASE/api/v1/articles/massage-benefits-for-back-pain-and-posture"
curl -s -o /dev/null "$ARTICLE"
idle=(); busy=()
for ((i = 0; i < REPEAT; i++)); do idle+=("$(measure "$ARTICLE")"); done
: >"$WORK/storm"
# The uploading client (curl) is load generator, not server: it runs at the
# lowest priority so that its own CPU time is not charged to the server.
( renice -n 19 -p "$BASHPID" >/dev/null
  while :; do upload "$WORK/photo.jpg" >/dev/null; echo x >>"$WORK/storm"; done ) & STORM=$!; PIDS+=("$STORM")
sleep 0.5
for ((i = 0; i < REPEAT; i++)); do busy+=("$(measure "$ARTICLE")"); done
kill "$STORM" 2>/dev/null || true
wait "$STORM" 2>/dev/null || true
# Medians taken field by field (the p99 of the median-throughput run is noisier).
column() { printf '%s\n' "${@:2}" | awk -v f="$1" '{print $f}'; }
to_ms() { awk '{v=$1; if (v ~ /us$/) v=v/1000; else if (v ~ /ms$/) v=v+0; else if (v ~ /s$/) v=v*1000; printf "%.2f\n", v}'; }
idle_rps=$(column 1 "${idle[@]}" | median); busy_rps=$(column 1 "${busy[@]}" | median)
idle_p99s=$(column 3 "${idle[@]}" | to_ms | sort -n | paste -sd' '); busy_p99s=$(column 3 "${busy[@]}" | to_ms | sort -n | paste -sd' ')
idle_p99=$(tr ' ' '\n' <<<"$idle_p99s" | median); busy_p99=$(tr ' ' '\n' <<<"$busy_p99s" | median)
echo
echo "| warm GET article (64 connections, medians of $REPEAT runs) | req/s | p99 (ms) | each run's p99 (ms) |"
echo "| --- | --- | --- | --- |"
echo "| idle | $idle_rps | $idle_p99 | $idle_p99s |"
echo "| while 12 MP uploads run back to back ($(wc -l <"$WORK/storm") finished in $((REPEAT * DURATION)) s) | $busy_rps | $busy_p99 | $busy_p99s |"
echo "p99 while uploading / idle: $(python3 -c "print(f'{$busy_p99/$idle_p99:.2f}')")"

# What an AVIF variant would cost (libvips' encoder, through libheif).
t=$(date +%s%N)
if vipsthumbnail "$WORK/photo.jpg" --size 1280x -o "$WORK/vips/1280.avif[Q=50,strip]" 2>/dev/null; then
  avif=$(ms "$t")
  t=$(date +%s%N); vipsthumbnail "$WORK/photo.jpg" --size 1280x -o "$WORK/vips/1280b.webp[Q=80,strip]"; webp=$(ms "$t")
  echo
  echo "AVIF: one 1280-wide variant takes libvips ${avif} ms ($(stat -c %s "$WORK/vips/1280.avif") bytes), the WebP ${webp} ms ($(stat -c %s "$WORK/vips/1280b.webp") bytes)"
else
  echo; echo "AVIF: this libvips cannot encode AVIF"
fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/{print $2, $3}' /proc/meminfo), $(vips --version)"
