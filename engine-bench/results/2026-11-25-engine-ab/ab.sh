#!/usr/bin/env bash
# A/B of engine patches (not committed to engine-core): stock vs patched classes shadowing engine-core's.
# Record of what was run. patchout/ and patch2out/ held the patched classes, built with
#   javac -cp engine-bench/target/benchmarks.jar -d patchout  EngineVchan.java   (completion-publish-per-call.diff applied)
#   javac -cp engine-bench/target/benchmarks.jar -d patch2out DomainMemory.java  (fill-memset-and-doubling-copy.diff applied)
# and were put ahead of benchmarks.jar on the class path (JMH forks inherit it).
J=/work/wt-bench/engine-bench/target/benchmarks.jar
cd /tmp/exp; mkdir -p abjson
prof="io.shmdma.bench.OtherCpuProfiler:waitMs=15000"
common=(-f 1 -wi 2 -i 8 -w 1s -r 500ms -prof $prof -rf json)
for round in 1 2; do
  for v in stock batch; do
    cp=$J; [[ $v == batch ]] && cp=patchout:$J
    echo "== $v round $round $(date +%T)"
    java -cp $cp org.openjdk.jmh.Main "BurstThroughputBenchmark.dma$" -p bufferSize=64,4096,65536 -p kickBatch=1,32 "${common[@]}" -rff abjson/burst-$v-$round.json > /dev/null 2>&1
    java -cp $cp org.openjdk.jmh.Main "CopySgBenchmark.dma$" -p sges=4x1,16x16 -p bufferSize=4096 "${common[@]}" -rff abjson/sg-$v-$round.json > /dev/null 2>&1
    java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp $cp io.shmdma.bench.DmaPerf --config ab.ini --result abjson/perf-$v-$round.csv --no-progress --wait-quiet-ms 15000 --retries 3 2>&1 | grep -E "DMA_MEM_COPY  busy"
  done
done
for round in 1 2; do
  for v in stock fill; do
    cp=$J; [[ $v == fill ]] && cp=patch2out:$J
    echo "== $v round $round $(date +%T)"
    java -cp $cp org.openjdk.jmh.Main "FillBenchmark.dma$" -p bufferSize=4096,65536,1048576 "${common[@]}" -rff abjson/fill-$v-$round.json > /dev/null 2>&1
  done
done
echo "== done $(date +%T)"
