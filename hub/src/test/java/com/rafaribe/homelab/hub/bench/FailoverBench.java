package com.rafaribe.homelab.hub.bench;

import com.rafaribe.homelab.hub.cluster.LeaseSettings;
import com.rafaribe.homelab.hub.testing.HubProcesses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The benchmark behind {@code scripts/bench-failover}: hubs as packaged jars, each a process of its
 * own, on mock clusters with the default Lease timings; again and again the hub holding the most
 * clusters is killed with SIGKILL and started again. Handover time: from the kill until every
 * cluster's Lease is held by a running hub, read from the Leases every 20 ms. Exits 1 when a
 * handover does not happen within a minute.
 */
public final class FailoverBench {
    static final Duration DEADLINE = Duration.ofMinutes(1);
    static final String USAGE = """
            usage: scripts/bench-failover [--kills 20] [--clusters 2] [--hubs 2] [--out FILE]
            """;

    private FailoverBench() {
    }

    public static void main(String[] args) throws Exception {
        int kills = 20;
        int clusters = 2;
        int hubs = 2;
        Path out = Path.of("hub/target/bench/failover.json");
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--kills" -> kills = positive(args[i], value);
                    case "--clusters" -> clusters = positive(args[i], value);
                    case "--hubs" -> hubs = positive(args[i], value);
                    case "--out" -> out = Path.of(required(args[i], value));
                    case "--help", "-h" -> throw new IllegalArgumentException("");
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            if (hubs < 2) {
                throw new IllegalArgumentException("--hubs must be at least 2: one is killed, another takes over");
            }
        } catch (IllegalArgumentException e) {
            System.err.print((e.getMessage().isEmpty() ? "" : e.getMessage() + "\n") + USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        try {
            JsonObject result = run(kills, clusters, hubs);
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, result.encodePrettily() + "\n");
            JsonObject p = result.getJsonObject("handoverMs");
            System.out.printf("%n%d kills, %d hubs on %d clusters (lease %d s, retry %d s)%n%-34s %8s %8s %8s %8s%n%-34s %8.0f %8.0f %8.0f %8.0f%n",
                    kills, hubs, clusters, result.getLong("leaseSeconds"), result.getLong("retrySeconds"),
                    "SIGKILL -> all Leases held (ms)", "p50", "p90", "p99", "max", "", p.getDouble("p50"), p.getDouble("p90"),
                    p.getDouble("p99"), p.getDouble("max"));
            System.out.println("result: " + out.toAbsolutePath());
            System.exit(0);
        } catch (Exception | AssertionError e) {
            System.err.println("bench-failover failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    static JsonObject run(int kills, int clusters, int hubs) throws Exception {
        Path work = Files.createTempDirectory("volsync-monitor-bench-failover");
        List<Double> handovers = new ArrayList<>();
        try (HubProcesses running = new HubProcesses(work, clusters)) {
            for (int h = 0; h < hubs; h++) {
                running.start("hub-" + h, hubs);
            }
            for (int k = 0; k < kills; k++) {
                Bench.await("every cluster held by a running hub", DEADLINE, running::allHeldByRunningHubs);
                Map<String, Long> held = HubProcesses.perHub(running.holders());
                String victim = held.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
                Instant killed = running.kill(victim);
                Bench.await("the clusters of " + victim + " taken over", DEADLINE, running::allHeldByRunningHubs);
                double ms = Duration.between(killed, Instant.now()).toNanos() / 1e6;
                handovers.add(ms);
                Bench.log("kill %d of %d: %s held %s; handed over in %.0f ms", k + 1, kills, victim, held.get(victim), ms);
                running.start(victim, hubs);
            }
        }
        return new JsonObject().put("kills", kills).put("hubs", hubs).put("clusters", clusters)
                .put("leaseSeconds", LeaseSettings.LEASE_DURATION.toSeconds()).put("retrySeconds", LeaseSettings.RETRY_PERIOD.toSeconds())
                .put("handoverMs", BenchReport.percentiles(handovers)).put("samplesMs", new JsonArray(new ArrayList<>(handovers)));
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(required(option, value));
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number of at least 1, not " + value);
        }
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
