package io.shmdma.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Prints results as an aligned table, the DMA, CPU and Agrona-ring rows of a scenario next to each other.
 */
final class ResultTable
{
    private static final String[] HEADER = {
        "case", "scen", "type", "engine", "ring", "kick", "sge", "buf(B)", "buffers", "mem(MB)", "ns/op", "Gbps",
        "MOps", "MOps/CPU", "other%", "caller ns/op", "caller/CPU", "gathers/burst", "caller other%" };

    private ResultTable()
    {
    }

    static void print(final PrintStream out, final List<PerfResult> rows)
    {
        final String[][] cells = new String[rows.size() + 1][];
        cells[0] = HEADER;
        for (int r = 0; r < rows.size(); r++)
        {
            final PerfResult row = rows.get(r);
            cells[r + 1] = new String[]{
                "case" + row.caseId,
                Integer.toString(row.scenario),
                row.type,
                row.engine,
                row.ringSize > 0 && !row.type.startsWith("CPU") ? Integer.toString(row.ringSize) : "-",
                row.kickBatch > 0 && !row.type.startsWith("CPU") ? Integer.toString(row.kickBatch) : "-",
                row.srcSges > 0 ? row.srcSges + "x" + row.dstSges : "-",
                Integer.toString(row.bufSize),
                Integer.toString(row.nrBuf),
                format("%.2f", row.memoryMb),
                row.error != null ? "ERROR: " + row.error : format("%.1f", row.nsPerOp()),
                row.error != null ? "" : format("%.3f", row.gbps()),
                row.error != null ? "" : format("%.3f", row.mops()),
                Double.isNaN(row.ratio) ? "" : format("%.2f", row.ratio),
                format("%.0f", row.otherCpuPercent),
                row.callerError != null ? "ERROR: " + row.callerError : format("%.1f", row.callerNsPerOp),
                format("%.3f", row.callerRatio),
                format("%.2f", row.gathersPerBurst),
                format("%.0f", row.callerOtherCpuPercent) };
        }
        final int[] widths = new int[HEADER.length];
        for (final String[] line : cells)
        {
            for (int c = 0; c < line.length; c++)
            {
                if (!line[c].startsWith("ERROR"))
                {
                    widths[c] = Math.max(widths[c], line[c].length());
                }
            }
        }
        for (final String[] line : cells)
        {
            final StringBuilder text = new StringBuilder();
            for (int c = 0; c < line.length; c++)
            {
                final boolean left = c <= 3;
                final String cell = line[c];
                final int pad = Math.max(0, widths[c] - cell.length());
                if (!left)
                {
                    text.append(" ".repeat(pad));
                }
                text.append(cell);
                if (left)
                {
                    text.append(" ".repeat(pad));
                }
                text.append(c == line.length - 1 ? "" : "  ");
            }
            out.println(text.toString().stripTrailing());
        }
    }

    private static String format(final String pattern, final double value)
    {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, pattern, value);
    }
}
