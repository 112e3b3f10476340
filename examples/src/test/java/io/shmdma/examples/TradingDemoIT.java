package io.shmdma.examples;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Runs the trading copy-offload example briefly and checks every snapshot the strategy read was consistent.
 */
class TradingDemoIT
{
    @Test
    void shouldReadOnlyConsistentSnapshots() throws Exception
    {
        final ExampleRunner.Result result = ExampleRunner.run(120,
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", ExampleRunner.JAR.toString(), "io.shmdma.examples.trading.TradingDemo", "2", "4096", "50");

        assertEquals(0, result.exitCode, result.output);
        final Matcher report = Pattern.compile("read ([\\d,]+) snapshots, (\\d+) inconsistent").matcher(result.output);
        assertTrue(report.find(), result.output);
        assertTrue(Long.parseLong(report.group(1).replace(",", "")) > 100, result.output);
        assertEquals("0", report.group(2), result.output);
        assertTrue(result.output.contains("last sequence seen"), result.output);
    }

    @Test
    void shouldGiveTheStrategyOnlyTheTokenAndTheNames() throws Exception
    {
        final String source = Files.readString(Path.of("src", "main", "java", "io", "shmdma", "examples", "trading",
            "TradingDemo.java"), StandardCharsets.UTF_8);
        assertEquals(List.of(
            "toStrategy.println(dir + \" \" + token + \" \" + GROUP_NAME + \" \" + SLOT_NAME + \" \" + payloadLength);",
            "toStrategy.println(\"STOP \" + stats.published * 2);"),
            source.lines().filter(line -> line.contains("toStrategy.println(")).map(String::strip).toList(),
            "no group id, no domain id, no IOVA");
    }
}
