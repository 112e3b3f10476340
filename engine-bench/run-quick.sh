#!/usr/bin/env bash
# Quick mode of the benchmark suite: every benchmark and tool once, on a reduced parameter set, with the GC
# profiler on (allocation check), in about two and a half minutes on 2 cores. Results go to
# engine-bench/target/quick/ (JMH JSON + logs, dma-perf CSV). Numbers from quick mode are for smoke testing and
# trends; docs/performance.md says how the published tables were produced.
# Usage: engine-bench/run-quick.sh            (build first: mvn -B -q -pl engine-bench -am package -DskipTests)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/target/benchmarks.jar"
out="$here/target/quick"
if [[ ! -f "$jar" ]]; then
    echo "missing $jar: build with 'mvn -B -q -pl engine-bench -am package -DskipTests'" >&2
    exit 1
fi
mkdir -p "$out"
flags=(--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED)
jmh=(-f 1 -wi 1 -i 2 -w 1s -r 1s -prof gc -prof io.shmdma.bench.OtherCpuProfiler)
start=$(date +%s)

# Busy-spin benchmarks need both cores: with QUIET_WAIT=1, wait (up to 10 minutes) until other processes use
# less than 5% of the CPUs over 3 seconds. Each JMH score carries other.cpu and each dma-perf row other%.
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
if [[ "${QUIET_WAIT:-0}" == 1 ]]; then
    for _ in $(seq 1 200); do
        b0=$(busy_ticks); sleep 3; b1=$(busy_ticks)
        pct=$(( (b1 - b0) * 100 / (3 * 100 * $(nproc)) ))
        [[ $pct -lt 5 ]] && break
        echo "waiting for a quiet machine: others use ${pct}% of the CPUs"
    done
fi

echo "== machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
java -version 2>&1 | head -1

run_jmh() {
    local name="$1"; shift
    echo "== JMH $name $*"
    java -jar "$jar" "$name" "${jmh[@]}" "$@" -rf json -rff "$out/$name.json" > "$out/$name.log" 2>&1 \
        || { tail -30 "$out/$name.log"; exit 1; }
    sed -n '/^Benchmark /,$p' "$out/$name.log" \
        | grep -v -E ':(gc\.alloc\.rate|gc\.count|gc\.time|ops|p0\.00|p0\.95|p0\.9999|p1\.00) ' || true
    echo "   (gc.alloc.rate.norm: bytes allocated per op by the whole JVM; other.cpu: % of the CPUs used by other processes)"
}

run_jmh SingleCopyRoundTripBenchmark
run_jmh BurstThroughputBenchmark -p bufferSize=64,65536 -p kickBatch=1,32
run_jmh CopySgBenchmark -p sges=4x1 -p bufferSize=65536
run_jmh FillBenchmark -p bufferSize=65536

echo "== RoundTripLatency --quick"
java "${flags[@]}" -cp "$jar" io.shmdma.bench.RoundTripLatency --quick | tee "$out/round-trip-latency.txt"

echo "== DmaPerf --quick"
java "${flags[@]}" -cp "$jar" io.shmdma.bench.DmaPerf --quick --no-progress --result "$out/dma-perf.csv" \
    | tee "$out/dma-perf.txt"

echo "== done in $(( $(date +%s) - start )) s; results in $out; load $(cut -d' ' -f1-3 /proc/loadavg)"
