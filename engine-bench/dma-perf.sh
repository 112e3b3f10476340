#!/usr/bin/env bash
# Runs the dma-perf style sweep (io.shmdma.bench.DmaPerf) from the shaded jar.
# Usage: engine-bench/dma-perf.sh [--config config.ini] [--result out.csv] [--quick] [--test-seconds S] ...
# Build first: mvn -B -q -pl engine-bench -am package -DskipTests
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/target/benchmarks.jar"
if [[ ! -f "$jar" ]]; then
    echo "missing $jar: build with 'mvn -B -q -pl engine-bench -am package -DskipTests'" >&2
    exit 1
fi
exec java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED ${JAVA_OPTS:-} -cp "$jar" io.shmdma.bench.DmaPerf "$@"
