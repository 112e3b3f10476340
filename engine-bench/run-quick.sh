#!/usr/bin/env bash
# The benchmark suite: the JMH benchmarks through BenchReport (GC profiler for allocation, other-processes CPU
# profiler, DMA/baseline ratio tables in Markdown), then RoundTripLatency, DmaPerf and the two-JVM harness.
#   engine-bench/run-quick.sh         quick mode: reduced parameters, short iterations, under 3 minutes
#   engine-bench/run-quick.sh --full  every parameter, 6 measured iterations, up to 3 attempts: 15-30 minutes
# Busy-spin measurements need both cores: every tool waits for quiet moments and discards (or flags) what was
# measured while other processes ran. Results go to engine-bench/target/quick/ or target/full/.
# Build first: mvn -B -q -pl engine-bench -am package -DskipTests
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/target/benchmarks.jar"
mode=quick
[[ "${1:-}" == "--full" ]] && mode=full
out="$here/target/$mode"
if [[ ! -f "$jar" ]]; then
    echo "missing $jar: build with 'mvn -B -q -pl engine-bench -am package -DskipTests'" >&2
    exit 1
fi
mkdir -p "$out"
flags=(--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED)
start=$(date +%s)
if [[ $mode == quick ]]; then
    report=(--quick); rtl=(--quick --wait-quiet-ms 1000); perf=(--quick --wait-quiet-ms 1000 --retries 1); twojvm=(--quick)
else
    report=(); rtl=(--wait-quiet-ms 15000); perf=(--wait-quiet-ms 15000 --retries 3); twojvm=()
fi

echo "== $(date -u +%FT%TZ) $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
java -version 2>&1 | head -1

echo "== BenchReport ${report[*]} (JMH; progress in $out/jmh.log)"
java "${flags[@]}" -cp "$jar" io.shmdma.bench.BenchReport "${report[@]}" --out "$out/report.md" 2> "$out/jmh.log" \
    || { tail -30 "$out/jmh.log"; exit 1; }

echo "== +$(( $(date +%s) - start )) s: RoundTripLatency ${rtl[*]}"
java "${flags[@]}" -cp "$jar" io.shmdma.bench.RoundTripLatency "${rtl[@]}" | tee "$out/round-trip-latency.txt"

echo "== +$(( $(date +%s) - start )) s: DmaPerf ${perf[*]}"
java "${flags[@]}" -cp "$jar" io.shmdma.bench.DmaPerf "${perf[@]}" --no-progress --result "$out/dma-perf.csv" \
    | tee "$out/dma-perf.txt"

echo "== +$(( $(date +%s) - start )) s: TwoJvmLatency ${twojvm[*]}"
java "${flags[@]}" -cp "$jar" io.shmdma.bench.twojvm.TwoJvmLatency "${twojvm[@]}" --out "$out/two-jvm" 2>/dev/null \
    | tee "$out/two-jvm.txt"

echo "== +$(( $(date +%s) - start )) s: Caller cost (the application thread's own time per job outside waiting) and break-even sizes"
awk -F, 'NR == 1 { next } $3 == "DMA_MEM_COPY" { c = $17; r = $18; k = $1 " " $9 } $3 == "CPU_MEM_COPY" && $1 " " $9 == k {
    printf "%-6s buf %8s B  kick %4s  caller %10s ns/op  CPU copy %10s ns/op  caller/CPU %8s\n", $1, $9, kick, c, $12, r }
    $3 == "DMA_MEM_COPY" { kick = $6 }' "$out/dma-perf.csv" || true
awk -F, '$3 == "DMA_MEM_COPY" { d[$1 " " $9 " " $6] = $15 } $3 == "RING_MEM_COPY" {
    printf "%-6s buf %8s B  kick %4s  MOps vs the CPU copy: shmdma %6s, Agrona-ring copy thread %6s\n", $1, $9, $6,
    d[$1 " " $9 " " $6], $15 }' "$out/dma-perf.csv" || true
grep -h "break-even\|Break-even\|flatness" "$out/report.md" "$out/dma-perf.txt" || true
grep -h "^ratios\|^offloaded sender\|rounds (" "$out/two-jvm.txt" || true

echo "== done in $(( $(date +%s) - start )) s; results in $out; load $(cut -d' ' -f1-3 /proc/loadavg)"
