package com.rafaribe.homelab.hub.bench;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the failures' time went, by the hub's own timing: its {@code volsync_hub_failure_stage_seconds}
 * histogram in /metrics, every cluster together. Per stage: how many were timed, the mean, and the
 * histogram's bucket that holds the 99th percentile (an upper bound, as Prometheus would estimate it).
 */
final class BenchStages {
    private static final Pattern SAMPLE = Pattern.compile(
            "^volsync_hub_failure_stage_seconds_(bucket|sum|count)\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);
    private static final Pattern STAGE = Pattern.compile("stage=\"([^\"]+)\"");
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

    private BenchStages() {
    }

    static JsonObject of(String metrics) {
        Map<String, double[]> countAndSum = new TreeMap<>();
        Map<String, Map<Double, Double>> buckets = new TreeMap<>();
        Matcher m = SAMPLE.matcher(metrics);
        while (m.find()) {
            Matcher stage = STAGE.matcher(m.group(2));
            if (!stage.find()) {
                continue;
            }
            double value = Double.parseDouble(m.group(3));
            switch (m.group(1)) {
                case "count" -> countAndSum.computeIfAbsent(stage.group(1), k -> new double[2])[0] += value;
                case "sum" -> countAndSum.computeIfAbsent(stage.group(1), k -> new double[2])[1] += value;
                default -> {
                    Matcher le = LE.matcher(m.group(2));
                    if (le.find()) {
                        double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                        buckets.computeIfAbsent(stage.group(1), k -> new TreeMap<>()).merge(bound, value, Double::sum);
                    }
                }
            }
        }
        JsonObject stages = new JsonObject();
        countAndSum.forEach((stage, cs) -> {
            JsonObject s = new JsonObject().put("n", (long) cs[0]).put("meanMs", BenchReport.round(cs[0] == 0 ? 0 : 1000 * cs[1] / cs[0]));
            double p99 = Double.NaN;
            for (Map.Entry<Double, Double> b : buckets.getOrDefault(stage, Map.of()).entrySet()) {
                if (b.getValue() >= 0.99 * cs[0]) {
                    p99 = b.getKey();
                    break;
                }
            }
            stages.put(stage, s.put("p99AtMostMs", Double.isNaN(p99) || Double.isInfinite(p99) ? null : BenchReport.round(1000 * p99)));
        });
        return stages;
    }
}
