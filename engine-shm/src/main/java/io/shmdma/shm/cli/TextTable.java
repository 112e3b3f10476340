package io.shmdma.shm.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: a header row and data rows, each column as wide as its widest cell, columns two spaces
 * apart, numbers right-aligned. No trailing spaces.
 */
final class TextTable
{
    private final String[] headers;
    private final boolean[] rightAligned;
    private final List<String[]> rows = new ArrayList<>();

    /**
     * @param headers column titles; a title starting with {@code >} is right-aligned (the {@code >} is dropped).
     */
    TextTable(final String... headers)
    {
        this.headers = new String[headers.length];
        this.rightAligned = new boolean[headers.length];
        for (int i = 0; i < headers.length; i++)
        {
            rightAligned[i] = headers[i].startsWith(">");
            this.headers[i] = rightAligned[i] ? headers[i].substring(1) : headers[i];
        }
    }

    TextTable row(final Object... cells)
    {
        if (cells.length != headers.length)
        {
            throw new IllegalArgumentException(cells.length + " cells for " + headers.length + " columns");
        }
        final String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++)
        {
            row[i] = String.valueOf(cells[i]);
        }
        rows.add(row);
        return this;
    }

    boolean isEmpty()
    {
        return rows.isEmpty();
    }

    /**
     * Renders the table, each line prefixed.
     *
     * @param indent prefix of every line.
     * @return the lines, each ending with a newline.
     */
    String render(final String indent)
    {
        final int[] widths = new int[headers.length];
        for (int i = 0; i < headers.length; i++)
        {
            widths[i] = headers[i].length();
        }
        for (final String[] row : rows)
        {
            for (int i = 0; i < row.length; i++)
            {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        final StringBuilder sb = new StringBuilder();
        line(sb, indent, headers, widths);
        for (final String[] row : rows)
        {
            line(sb, indent, row, widths);
        }
        return sb.toString();
    }

    private void line(final StringBuilder sb, final String indent, final String[] cells, final int[] widths)
    {
        final int start = sb.length();
        sb.append(indent);
        for (int i = 0; i < cells.length; i++)
        {
            if (i > 0)
            {
                sb.append("  ");
            }
            final String padding = " ".repeat(widths[i] - cells[i].length());
            if (rightAligned[i])
            {
                sb.append(padding).append(cells[i]);
            }
            else
            {
                sb.append(cells[i]).append(padding);
            }
        }
        int end = sb.length();
        while (end > start && sb.charAt(end - 1) == ' ')
        {
            end--;
        }
        sb.setLength(end);
        sb.append('\n');
    }
}
