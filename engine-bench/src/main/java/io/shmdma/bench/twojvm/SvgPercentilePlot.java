package io.shmdma.bench.twojvm;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Draws latency percentile distributions, one line per histogram, on one SVG chart: the x axis is the
 * percentile on HdrHistogram's usual scale (log of 1 / (1 - p): 90%, 99%, 99.9%, 99.99%), the y axis
 * microseconds on a log scale, so both the median and the tail are readable.
 */
final class SvgPercentilePlot
{
    private static final int WIDTH = 760;
    private static final int HEIGHT = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final double MAX_NINES = 4.0;
    private static final String[] COLOURS = { "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd" };

    private final String title;
    private final Map<String, Histogram> series = new LinkedHashMap<>();

    SvgPercentilePlot(final String title)
    {
        this.title = title;
    }

    SvgPercentilePlot add(final String label, final Histogram histogram)
    {
        series.put(label, histogram);
        return this;
    }

    void write(final Path file) throws IOException
    {
        double minUs = Double.MAX_VALUE;
        double maxUs = 0;
        for (final Histogram histogram : series.values())
        {
            minUs = Math.min(minUs, Math.max(0.01, histogram.getMinValue() / 1000.0));
            maxUs = Math.max(maxUs, histogram.getMaxValue() / 1000.0);
        }
        final double lowDecade = Math.floor(Math.log10(minUs));
        final double highDecade = Math.max(lowDecade + 1, Math.ceil(Math.log10(Math.max(maxUs, minUs))));
        final StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
            "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='12'>%n",
            WIDTH, HEIGHT));
        svg.append("<rect width='100%' height='100%' fill='white'/>\n");
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='22' font-size='15'>%s</text>%n", LEFT, escape(title)));
        final int plotWidth = WIDTH - LEFT - RIGHT;
        final int plotHeight = HEIGHT - TOP - BOTTOM;
        for (int nines = 0; nines <= MAX_NINES; nines++)
        {
            final double x = LEFT + plotWidth * nines / MAX_NINES;
            svg.append(String.format(Locale.ROOT,
                "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#ddd'/><text x='%.1f' y='%d' " +
                "text-anchor='middle'>%s</text>%n",
                x, TOP, x, TOP + plotHeight, x, TOP + plotHeight + 18, percentileLabel(nines)));
        }
        for (double decade = lowDecade; decade <= highDecade; decade++)
        {
            final double y = TOP + plotHeight - plotHeight * (decade - lowDecade) / (highDecade - lowDecade);
            svg.append(String.format(Locale.ROOT,
                "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ddd'/><text x='%d' y='%.1f' " +
                "text-anchor='end'>%s</text>%n",
                LEFT, y, LEFT + plotWidth, y, LEFT - 6, y + 4, formatUs(Math.pow(10, decade))));
        }
        svg.append(String.format(Locale.ROOT,
            "<text x='%d' y='%d' text-anchor='middle'>percentile</text>%n", LEFT + plotWidth / 2, HEIGHT - 18));
        svg.append(String.format(Locale.ROOT,
            "<text x='16' y='%d' transform='rotate(-90 16 %d)' text-anchor='middle'>round trip (us, log " +
            "scale)</text>%n",
            TOP + plotHeight / 2, TOP + plotHeight / 2));
        int index = 0;
        for (final Map.Entry<String, Histogram> entry : series.entrySet())
        {
            final String colour = COLOURS[index % COLOURS.length];
            final StringBuilder points = new StringBuilder();
            for (double nines = 0; nines <= MAX_NINES + 1e-9; nines += 0.02)
            {
                final double percentile = Math.min(100.0, 100.0 * (1 - Math.pow(10, -nines)));
                final double us = Math.max(Math.pow(10, lowDecade),
                    entry.getValue().getValueAtPercentile(percentile) / 1000.0);
                final double x = LEFT + plotWidth * nines / MAX_NINES;
                final double y =
                    TOP + plotHeight - plotHeight * (Math.log10(us) - lowDecade) / (highDecade - lowDecade);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            svg.append(String.format(Locale.ROOT,
                "<polyline fill='none' stroke='%s' stroke-width='2' points='%s'/>%n", colour,
                points.toString().trim()));
            final int legendY = TOP + 16 + 18 * index;
            svg.append(String.format(Locale.ROOT,
                "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='3'/><text x='%d' y='%d'>%s</text>%n",
                LEFT + 12, legendY - 4, LEFT + 36, legendY - 4, colour, LEFT + 42, legendY, escape(entry.getKey())));
            index++;
        }
        svg.append("</svg>\n");
        Files.writeString(file, svg.toString(), StandardCharsets.UTF_8);
    }

    private static String percentileLabel(final int nines)
    {
        switch (nines)
        {
            case 0: return "0%";
            case 1: return "90%";
            case 2: return "99%";
            default: return "99." + "9".repeat(nines - 2) + "%";
        }
    }

    private static String formatUs(final double value)
    {
        return value >= 1 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
