#!/usr/bin/env bash
# The main job: builds what is needed, then runs the two-JVM demo (DPDK's inter-domain DMA guide, step by
# step) against a fresh temporary directory under /dev/shm, which it removes again.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -DskipTests -pl examples -am install
exec java -jar examples/target/shmdma-examples.jar "$@"
