package com.rafaribe.homelab.hub.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** The benchmark's result as JSON, and the table printed from it. */
final class BenchReport {
    static final List<String> PERCENTILES = List.of("p50", "p90", "p99", "max");

    private BenchReport() {
    }

    static JsonObject result(BenchOptions o, List<Double> hubMs, List<Double> floorMs, Map<String, Long> failurePhase,
                             Map<String, Long> idlePhase, double idleSeconds, JsonObject memory, List<StartUp> startUps,
                             JsonObject stages) {
        JsonObject hub = percentiles(hubMs);
        JsonObject floor = percentiles(floorMs);
        JsonObject ratio = new JsonObject();
        for (String p : PERCENTILES) {
            ratio.put(p, round(hub.getDouble(p) / Math.max(floor.getDouble(p), 0.001)));
        }
        JsonObject perFailure = new JsonObject();
        Map<String, Long> byFailures = new java.util.TreeMap<>(failurePhase);
        byFailures.keySet().removeIf(BenchReport::timer);
        byFailures.forEach((k, v) -> perFailure.put(k, round((double) v / o.failures())));
        JsonObject idle = new JsonObject();
        double perMinute = 60.0 / idleSeconds / o.clusters();
        idlePhase.forEach((k, v) -> idle.put(k, round(v * perMinute)));
        long failureTotal = byFailures.values().stream().mapToLong(Long::longValue).sum();
        long idleTotal = idlePhase.values().stream().mapToLong(Long::longValue).sum();
        return new JsonObject()
                .put("machine", machine())
                .put("options", new JsonObject().put("clusters", o.clusters()).put("pods", o.pods()).put("sources", o.sources()).put("failures", o.failures())
                        .put("wave", o.wave()).put("waveEveryMs", o.waveEveryMs()).put("xmx", o.xmx()).put("javaOptions", String.join(" ", o.javaOptions())).put("heapOptions", String.join(" ", o.heapOptions())).put("idleSeconds", o.idleSeconds()))
                .put("latencyMs", new JsonObject().put("hub", hub).put("floor", floor).put("ratio", ratio)
                        .put("hubInFailureOrder", new io.vertx.core.json.JsonArray(hubMs.stream().map(BenchReport::round).toList()))
                        .put("floorInFailureOrder", new io.vertx.core.json.JsonArray(floorMs.stream().map(BenchReport::round).toList())))
                .put("stagesMs", stages)
                .put("requestsPerFailure", new JsonObject().put("total", round((double) failureTotal / o.failures())).put("byVerbAndPath", perFailure))
                .put("idleRequestsPerMinutePerCluster", new JsonObject().put("total", round(idleTotal * perMinute)).put("byVerbAndPath", idle))
                .put("memory", memory.copy().put("xmx", o.xmx()))
                .put("startup", startUp(startUps));
    }

    /**
     * A request a timer makes, whatever fails: the Lease's renewals and the 10-second {@code /version} probe. Counted per
     * minute while idle, not per failure (a wave a second spreads 50 failures over 10 s, a probe of every cluster).
     */
    static boolean timer(String kind) {
        return kind.contains("/apis/coordination.k8s.io/") || kind.equals("GET /version");
    }

    /** One start of the hub: when it was ready and every cluster Connected, and the CPU time it and the mock servers used until then. */
    record StartUp(double readySeconds, double connectedSeconds, double hubCpuSeconds, double mockServersCpuSeconds) {
    }

    /** The median of the starts (each on the same clusters, with a new JVM), and each start in order. */
    static JsonObject startUp(List<StartUp> starts) {
        JsonObject s = new JsonObject().put("starts", starts.size());
        Map<String, java.util.function.ToDoubleFunction<StartUp>> figures = new java.util.LinkedHashMap<>();
        figures.put("readyzSeconds", StartUp::readySeconds);
        figures.put("allConnectedSeconds", StartUp::connectedSeconds);
        figures.put("hubCpuSeconds", StartUp::hubCpuSeconds);
        figures.put("mockServersCpuSeconds", StartUp::mockServersCpuSeconds);
        figures.forEach((name, figure) -> {
            List<Double> each = starts.stream().map(figure::applyAsDouble).map(BenchReport::round).toList();
            s.put(name, round(median(each))).put(name.replace("Seconds", "SecondsEach"), new io.vertx.core.json.JsonArray(each));
        });
        return s;
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static JsonObject percentiles(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        JsonObject p = new JsonObject().put("n", sorted.size());
        p.put("p50", round(nearestRank(sorted, 50))).put("p90", round(nearestRank(sorted, 90))).put("p99", round(nearestRank(sorted, 99)))
                .put("max", round(sorted.get(sorted.size() - 1)));
        return p;
    }

    /** The smallest value with at least {@code percent}% of the values at or below it. */
    static double nearestRank(List<Double> sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    static String table(JsonObject r) {
        StringBuilder b = new StringBuilder();
        JsonObject o = r.getJsonObject("options");
        b.append(String.format("%n%d clusters x %d pods (+ %d ReplicationSources without movers), %d failures in waves of %d, hub -Xmx%s%n%n",
                o.getInteger("clusters"), o.getInteger("pods"), o.getInteger("sources", 0), o.getInteger("failures"), o.getInteger("wave"),
                o.getString("xmx")));
        JsonObject lat = r.getJsonObject("latencyMs");
        b.append(String.format("%-42s %10s %10s %10s %10s%n", "failed pod written -> (ms)", "p50", "p90", "p99", "max"));
        for (String[] row : List.of(new String[] {"hub: unlock Job create arrives", "hub"}, new String[] {"floor: bare informer event", "floor"},
                new String[] {"ratio hub/floor", "ratio"})) {
            JsonObject p = lat.getJsonObject(row[1]);
            b.append(String.format("%-42s %10s %10s %10s %10s%n", row[0], p.getValue("p50"), p.getValue("p90"), p.getValue("p99"), p.getValue("max")));
        }
        b.append(String.format("%nwhere the time went, by the hub's own timing (ms):  %10s %10s %14s%n", "timed", "mean", "p99 at most"));
        r.getJsonObject("stagesMs", new JsonObject()).forEach(e -> {
            JsonObject st = (JsonObject) e.getValue();
            b.append(String.format("  %-48s %10s %10s %14s%n", e.getKey(), st.getValue("n"), st.getValue("meanMs"), st.getValue("p99AtMostMs")));
        });
        JsonObject perFailure = r.getJsonObject("requestsPerFailure");
        b.append(String.format("%nAPI requests per failure: %s%n", perFailure.getValue("total")));
        perFailure.getJsonObject("byVerbAndPath").forEach(e -> b.append(String.format("  %8s  %s%n", e.getValue(), e.getKey())));
        JsonObject idle = r.getJsonObject("idleRequestsPerMinutePerCluster");
        b.append(String.format("%nAPI requests per minute per cluster, nothing happening: %s%n", idle.getValue("total")));
        idle.getJsonObject("byVerbAndPath").forEach(e -> b.append(String.format("  %8s  %s%n", e.getValue(), e.getKey())));
        JsonObject m = r.getJsonObject("memory");
        JsonObject s = r.getJsonObject("startup");
        StringBuilder environment = new StringBuilder();
        o.getJsonObject("environment", new JsonObject()).forEach(e -> environment.append(e.getKey()).append('=').append(e.getValue()).append(' '));
        b.append(String.format("%npeak RSS %s MiB, heap after GC %s MiB (%s%s %s)%n", m.getValue("peakRssMiB"), m.getValue("heapAfterGcMiB"),
                environment, o.getString("heapOptions", "-Xmx" + m.getValue("xmx")), o.getString("javaOptions", "")));
        if (m.containsKey("nativeCommittedMiB")) {
            b.append("committed by the JVM, MiB (Native Memory Tracking):");
            m.getJsonObject("nativeCommittedMiB").forEach(e -> b.append(" ").append(e.getKey()).append(" ").append(e.getValue()));
            b.append(String.format("%n"));
        }
        b.append(String.format("/readyz 200 after %s s, all clusters Connected after %s s%s%n", s.getValue("readyzSeconds"),
                s.getValue("allConnectedSeconds"), s.getInteger("starts", 1) > 1
                        ? String.format(" (the median of %d starts; Connected after %s s)", s.getInteger("starts"),
                                s.getJsonArray("allConnectedSecondsEach").stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")))
                        : ""));
        b.append(String.format("CPU seconds until every cluster was Connected: hub %s, the mock servers' JVM %s%n", s.getValue("hubCpuSeconds"),
                s.getValue("mockServersCpuSeconds")));
        JsonObject machine = r.getJsonObject("machine");
        b.append(String.format("machine: %s CPUs, %s MiB RAM, %s%n", machine.getValue("cpus"), machine.getValue("memoryMiB"), machine.getValue("jdk")));
        return b.toString();
    }

    static JsonObject machine() {
        JsonObject m = new JsonObject().put("cpus", Runtime.getRuntime().availableProcessors())
                .put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
                .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    m.put("memoryMiB", Long.parseLong(line.replaceAll("\\D+", "")) / 1024);
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    m.put("cpuModel", line.substring(line.indexOf(':') + 1).strip());
                    break;
                }
            }
        } catch (IOException e) {
            // not Linux: without them
        }
        return m;
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
