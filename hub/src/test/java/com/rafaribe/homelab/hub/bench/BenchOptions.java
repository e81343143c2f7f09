package com.rafaribe.homelab.hub.bench;

import com.rafaribe.homelab.hub.testing.ImageJvmOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code scripts/bench} is told.
 *
 * @param clusters     mock clusters (fabric8 mock API servers in this JVM), one kubeconfig context each
 * @param pods         VolSync mover pods (with their Job and ReplicationSource) in each cluster, before any failure
 * @param sources      more ReplicationSources in each cluster, whose movers VolSync already removed (most apps, most of the time)
 * @param failures     lock failures in all, spread over the clusters in turn
 * @param wave         failures written at once; the next wave starts when every unlock Job of this one was created
 * @param waveEveryMs  and not before this many milliseconds after this one started: the load is a wave per second
 * @param xmx          the hub's -Xmx
 * @param javaOptions  the hub's other JVM options; by default those the image and the Deployment give it
 * @param idleSeconds  how long to count the requests of a hub with nothing to do
 * @param startUps     how often the hub is started on the same clusters (each stopped but the last, which is measured further)
 * @param out          the JSON result
 * @param initialHeapShare the share of -Xmx the hub starts with, as the Deployment's ({@link #withDeploymentsInitialHeap})
 */
record BenchOptions(int clusters, int pods, int sources, int failures, int wave, int waveEveryMs, String xmx, List<String> javaOptions, int idleSeconds,
                    int startUps, Path out, double initialHeapShare) {
    /** The JVM's own in a container: InitialRAMPercentage (1.5625) of MaxRAMPercentage (25). */
    static final double JVM_INITIAL_HEAP_SHARE = 1.5625 / 25;


    static final String USAGE = """
            Usage: scripts/bench [--clusters N] [--pods N] [--sources N] [--failures N] [--wave N] [--wave-every MS] [--xmx SIZE]
                                 [--java-options 'OPTIONS']
                                 [--idle-seconds N] [--start-ups N] [--out FILE]
              --clusters      mock clusters, one kubeconfig context each (default 3)
              --pods          VolSync mover pods per cluster before any failure (default 50)
              --sources       more ReplicationSources per cluster, without mover pods (default 0)
              --failures      lock failures in all, spread over the clusters (default 10)
              --wave          failures written at once (default 5)
              --wave-every    milliseconds from one wave's start to the next's, at least (default 1000: a wave per second;
                              0: each wave as soon as every unlock Job of the one before was created)
              --xmx           the hub's maximum heap (default 128m)
              --java-options  the hub's other JVM options, space-separated (default: the image's)
                              (its environment is the image's too, MALLOC_ARENA_MAX=2, unless set where this runs)
              --idle-seconds  how long to count requests while nothing happens (default 30)
              --start-ups     how often the hub is started on the same clusters, the start-up times' median reported (default 1)
              --out           the JSON result (default hub/target/bench/result.json)
            """;

    static BenchOptions parse(String[] args) {
        int clusters = 3;
        int pods = 50;
        int sources = 0;
        int failures = 10;
        int wave = 5;
        int waveEvery = 1000;
        String xmx = "128m";
        List<String> javaOptions = null;
        int idle = 30;
        int startUps = 1;
        Path out = Path.of("hub/target/bench/result.json");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                throw new IllegalArgumentException("");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--clusters" -> clusters = positive(a, v);
                case "--pods" -> pods = positive(a, v);
                case "--sources" -> sources = notNegative(a, v);
                case "--failures" -> failures = positive(a, v);
                case "--wave" -> wave = positive(a, v);
                case "--wave-every" -> waveEvery = notNegative(a, v);
                case "--xmx" -> xmx = v;
                case "--java-options" -> javaOptions = v.isBlank() ? List.of() : List.of(v.trim().split("\\s+"));
                case "--idle-seconds" -> idle = positive(a, v);
                case "--start-ups" -> startUps = positive(a, v);
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (javaOptions == null) {
            // The image's (its Dockerfile's ENTRYPOINT; Jib's and the Deployment's are the same): the benchmark measures what is deployed.
            javaOptions = ImageJvmOptions.of(Path.of(""));
        }
        return new BenchOptions(clusters, pods, sources, failures, wave, waveEvery, xmx, javaOptions, idle, startUps, out,
                JVM_INITIAL_HEAP_SHARE);
    }

    /** As the Deployment starts the hub: with the share of its maximum heap its JAVA_TOOL_OPTIONS give. */
    BenchOptions withDeploymentsInitialHeap(Path repo) {
        return new BenchOptions(clusters, pods, sources, failures, wave, waveEveryMs, xmx, javaOptions, idleSeconds, startUps, out,
                ImageJvmOptions.deploymentInitialHeapShare(repo));
    }

    /**
     * The hub's environment: the image's ({@code ENV} in its Dockerfile), each variable as {@code own} (this process's
     * environment) sets it if it does, so that {@code MALLOC_ARENA_MAX=8 scripts/bench} measures eight arenas.
     */
    static Map<String, String> hubEnvironment(Map<String, String> image, Map<String, String> own) {
        Map<String, String> env = new LinkedHashMap<>(image);
        env.replaceAll((name, value) -> own.getOrDefault(name, value));
        return env;
    }

    /**
     * The hub's heap options: -Xmx, and the initial heap the Deployment gives it unless {@code javaOptions} name one.
     * In a container the JVM sizes its heap by percentages of the memory limit (the Deployment: InitialRAMPercentage=20,
     * MaxRAMPercentage=40, half); on this machine it would size them by all its memory, and the serial collector would
     * then use (and touch) an initial heap as large as -Xmx. So the benchmark gives -Xmx and the same share of it.
     */
    List<String> heapOptions() {
        List<String> options = new java.util.ArrayList<>(List.of("-Xmx" + xmx));
        if (javaOptions.stream().noneMatch(o -> o.startsWith("-Xms") || o.startsWith("-XX:InitialHeapSize"))) {
            options.add("-Xms" + Math.max(8, Math.round(megabytes(xmx) * initialHeapShare)) + "m");
        }
        return options;
    }

    static long megabytes(String size) {
        String s = size.trim().toLowerCase(java.util.Locale.ROOT);
        long n = Long.parseLong(s.replaceAll("[kmg]$", ""));
        return switch (s.charAt(s.length() - 1)) {
            case 'k' -> n / 1024;
            case 'g' -> n * 1024;
            case 'm' -> n;
            default -> n / (1024 * 1024);
        };
    }

    private static int notNegative(String option, String value) {
        return value.equals("0") ? 0 : positive(option, value);
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(option + " takes a positive number, not " + value);
    }
}
