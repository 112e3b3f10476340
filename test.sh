#!/usr/bin/env bash
# Builds every module and runs every test (unit tests, then multi-process *IT tests).
# Set JAVA_HOME to choose the JDK, e.g. JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 ./test.sh
set -euo pipefail
cd "$(dirname "$0")"
exec mvn -B verify "$@"
