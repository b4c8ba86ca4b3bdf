package io.tandem.perf;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The latency percentile spectrum (as HdrHistogram's plotter draws it): x is 1/(1 - percentile)
 * on a log scale, labelled 0%, 90%, 99%, 99.9%...; y is latency in milliseconds. One line per test
 * and target.
 */
final class Plot {
    private Plot() {}

    static void write(String file, String title, Map<String, Histogram> series) throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(600).title(title)
                .xAxisTitle("percentile").yAxisTitle("latency (ms)").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        chart.getStyler().setMarkerSize(0);
        // x is log10(1 / (1 - percentile)): 0 = 0%, 1 = 90%, 2 = 99%, 3 = 99.9%...
        // XChart loops forever when two tick labels are equal, so every label is kept distinct.
        chart.getStyler().setxAxisTickLabelsFormattingFunction(Plot::percentileLabel);
        double maxX = 10;
        int added = 0;
        for (Map.Entry<String, Histogram> e : series.entrySet()) {
            Histogram h = e.getValue();
            if (h.getTotalCount() == 0) continue;
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (HistogramIterationValue v : h.percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo();
                if (p >= 100) break;
                xs.add(Math.log10(1 / (1 - p / 100)));
                ys.add(h.highestEquivalentValue(v.getValueIteratedTo()) / 1e6);
            }
            // The maximum, at the resolution the sample count allows.
            double lastX = Math.max(10, h.getTotalCount());
            xs.add(Math.log10(lastX));
            ys.add(h.getMaxValue() / 1e6);
            maxX = Math.max(maxX, lastX);
            XYSeries s = chart.addSeries(e.getKey(), xs, ys);
            s.setMarker(SeriesMarkers.NONE);
            added++;
        }
        if (added == 0) {
            XYSeries s = chart.addSeries("no data", new double[] {0, 1}, new double[] {0, 0});
            s.setMarker(SeriesMarkers.NONE);
        }
        // Ticks at decades: 0%, 90%, 99%, ...
        int decades = (int) Math.max(1, Math.ceil(Math.log10(maxX)));
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax((double) decades);
        java.nio.file.Files.write(java.nio.file.Path.of(file), BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }

    /** The label of x = log10(1 / (1 - p)): 0 → "0%", 1 → "90%", 2 → "99%", 1.5 → "96.84%". */
    static String percentileLabel(double x) {
        if (x <= 0) return x == 0 ? "0%" : String.format(java.util.Locale.ROOT, "(%.3f)", x);
        double p = 100 * (1 - Math.pow(10, -x));
        int decimals = (int) Math.min(15, Math.max(1, Math.ceil(x) + 1));
        String s = String.format(java.util.Locale.ROOT, "%." + decimals + "f", p);
        if (s.indexOf('.') >= 0) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s + "%";
    }

    static Map<String, Histogram> ordered() {
        return new LinkedHashMap<>();
    }
}
