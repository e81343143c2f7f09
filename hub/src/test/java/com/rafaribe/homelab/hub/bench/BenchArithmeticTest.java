package com.rafaribe.homelab.hub.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's own arithmetic: paths grouped without names, percentiles by nearest rank, the JVM's memory figures read. */
class BenchArithmeticTest {
    @Test
    void pathsLoseTheirNamesAndQueries() {
        assertThat(RequestLog.withoutNames("/api/v1/namespaces/media/pods/jellyfin-abc/log?tailLines=50"))
                .isEqualTo("/api/v1/namespaces/{name}/pods/{name}/log");
        assertThat(RequestLog.withoutNames("/apis/batch/v1/namespaces/media/jobs")).isEqualTo("/apis/batch/v1/namespaces/{name}/jobs");
        assertThat(RequestLog.withoutNames("/api/v1/pods?labelSelector=x")).isEqualTo("/api/v1/pods");
        assertThat(RequestLog.withoutNames("/version")).isEqualTo("/version");
    }

    @Test
    void theHubStartsWithTheHeapAContainerGivesIt() {
        BenchOptions defaults = BenchOptions.parse(new String[] {"--xmx", "128m", "--java-options", "-XX:+UseSerialGC"});
        assertThat(defaults.heapOptions()).containsExactly("-Xmx128m", "-Xms8m");
        assertThat(BenchOptions.parse(new String[] {"--xmx", "1g", "--java-options", "-XX:+UseSerialGC"}).heapOptions())
                .containsExactly("-Xmx1g", "-Xms64m");
        assertThat(BenchOptions.parse(new String[] {"--java-options", "-Xms128m"}).heapOptions()).containsExactly("-Xmx128m");
        assertThat(defaults.withDeploymentsInitialHeap(Path.of(System.getProperty("repo.dir", ".."))).heapOptions()).as("the Deployment's half").containsExactly("-Xmx128m", "-Xms64m");
    }

    @Test
    void theHubGetsTheImagesEnvironmentButForWhatTheCallerSets() {
        java.util.Map<String, String> image = java.util.Map.of("MALLOC_ARENA_MAX", "2");
        assertThat(BenchOptions.hubEnvironment(image, java.util.Map.of("PATH", "/bin"))).isEqualTo(image);
        assertThat(BenchOptions.hubEnvironment(image, java.util.Map.of("MALLOC_ARENA_MAX", "8"))).containsExactly(java.util.Map.entry("MALLOC_ARENA_MAX", "8"));
    }

    @Test
    void startUpIsTheMedianOfTheStartsEachKeptInOrder() {
        io.vertx.core.json.JsonObject three = BenchReport.startUp(List.of(new BenchReport.StartUp(2.0, 3.5, 4.0, 1.0),
                new BenchReport.StartUp(1.0, 2.25, 3.0, 2.0), new BenchReport.StartUp(9.0, 9.0, 8.0, 3.0)));
        assertThat(three.getInteger("starts")).isEqualTo(3);
        assertThat(three.getDouble("readyzSeconds")).isEqualTo(2.0);
        assertThat(three.getDouble("allConnectedSeconds")).isEqualTo(3.5);
        assertThat(three.getDouble("hubCpuSeconds")).isEqualTo(4.0);
        assertThat(three.getDouble("mockServersCpuSeconds")).isEqualTo(2.0);
        assertThat(three.getJsonArray("allConnectedSecondsEach").getList()).containsExactly(3.5, 2.25, 9.0);
        assertThat(BenchReport.startUp(List.of(new BenchReport.StartUp(1.0, 3.0, 1.0, 1.0), new BenchReport.StartUp(2.0, 4.0, 1.0, 1.0)))
                .getDouble("allConnectedSeconds")).isEqualTo(3.5);
        assertThat(BenchOptions.parse(new String[] {"--start-ups", "5", "--java-options", ""}).startUps()).isEqualTo(5);
        assertThat(BenchOptions.parse(new String[] {"--java-options", ""}).startUps()).isEqualTo(1);
    }

    @Test
    void timersAreNotCountedPerFailure() {
        assertThat(BenchReport.timer("GET /version")).isTrue();
        assertThat(BenchReport.timer("PATCH /apis/coordination.k8s.io/v1/namespaces/{name}/leases/{name}")).isTrue();
        assertThat(BenchReport.timer("POST /apis/batch/v1/namespaces/{name}/jobs")).isFalse();
        assertThat(BenchReport.timer("GET /version/extra")).isFalse();
    }

    @Test
    void wavesComeOncePerSecondUnlessToldOtherwise() {
        // The load: waves of 5 per second. 0 is the harsher old pace, each wave right after the one before.
        assertThat(BenchOptions.parse(new String[] {"--java-options", ""}).waveEveryMs()).isEqualTo(1000);
        assertThat(BenchOptions.parse(new String[] {"--wave-every", "0", "--java-options", ""}).waveEveryMs()).isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--wave-every", "-1"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--wave-every");
    }

    @Test
    void nearestRankPercentiles() {
        List<Double> hundred = java.util.stream.IntStream.rangeClosed(1, 100).mapToObj(i -> (double) i).toList();
        assertThat(BenchReport.nearestRank(hundred, 50)).isEqualTo(50.0);
        assertThat(BenchReport.nearestRank(hundred, 99)).isEqualTo(99.0);
        assertThat(BenchReport.nearestRank(List.of(7.0), 99)).isEqualTo(7.0);
        assertThat(BenchReport.percentiles(List.of(3.0, 1.0, 2.0)).getDouble("max")).isEqualTo(3.0);
    }

    @Test
    void stagesFromTheHubsHistogramOverEveryCluster() {
        String metrics = """
                volsync_hub_failure_stage_seconds_bucket{cluster="a",stage="log_read",le="0.005"} 1.0
                volsync_hub_failure_stage_seconds_bucket{cluster="a",stage="log_read",le="0.05"} 2.0
                volsync_hub_failure_stage_seconds_bucket{cluster="a",stage="log_read",le="+Inf"} 2.0
                volsync_hub_failure_stage_seconds_count{cluster="a",stage="log_read"} 2.0
                volsync_hub_failure_stage_seconds_sum{cluster="a",stage="log_read"} 0.03
                volsync_hub_failure_stage_seconds_bucket{cluster="b",stage="log_read",le="0.005"} 0.0
                volsync_hub_failure_stage_seconds_bucket{cluster="b",stage="log_read",le="0.05"} 0.0
                volsync_hub_failure_stage_seconds_bucket{cluster="b",stage="log_read",le="+Inf"} 1.0
                volsync_hub_failure_stage_seconds_count{cluster="b",stage="log_read"} 1.0
                volsync_hub_failure_stage_seconds_sum{cluster="b",stage="log_read"} 0.09
                """;
        var stages = BenchStages.of(metrics);
        assertThat(stages.getJsonObject("log_read").getLong("n")).isEqualTo(3);
        assertThat(stages.getJsonObject("log_read").getDouble("meanMs")).isEqualTo(40.0);
        assertThat(stages.getJsonObject("log_read").getValue("p99AtMostMs")).as("beyond the last bucket: unknown").isNull();
        assertThat(BenchStages.of(metrics.replace("cluster=\"b\"", "cluster=\"c\"").lines()
                .filter(l -> !l.contains("\"c\"")).collect(java.util.stream.Collectors.joining("\n")))
                .getJsonObject("log_read").getDouble("p99AtMostMs")).isEqualTo(50.0);
    }

    @Test
    void heapInUseWhicheverCollector() {
        assertThat(BenchMemory.heapUsedKib(" garbage-first heap   total 131072K, used 96972K [0x00000000f8000000, 0x0000000100000000)\n"
                + "  region size 1024K, 3 young (3072K), 0 survivors (0K)\n")).isEqualTo(96972);
        assertThat(BenchMemory.heapUsedKib(" def new generation   total 4928K, used 512K [0x00000000f8000000, 0x00000000f8550000)\n"
                + "  eden space 4416K,   0% used\n"
                + " tenured generation   total 60000K, used 40000K [0x00000000fd550000, 0x0000000100000000)\n")).isEqualTo(40512);
        assertThat(BenchMemory.heapUsedKib("Native memory tracking is not enabled")).isEqualTo(-1);
    }

    @Test
    void nativeMemoryByCategory() {
        String summary = """
                Total: reserved=1604367KB, committed=262259KB
                -                 Java Heap (reserved=131072KB, committed=131072KB)
                                            (mmap: reserved=131072KB, committed=131072KB)
                -                     Class (reserved=1052958KB, committed=14110KB)
                -                    Thread (reserved=60715KB, committed=4719KB)
                -                    Symbol (reserved=512KB, committed=512KB)
                """;
        assertThat(BenchMemory.nativeCommittedMiB(summary).getMap())
                .containsEntry("Java Heap", 128.0).containsEntry("Class", 13.8).containsEntry("Thread", 4.6).doesNotContainKey("Symbol");
        assertThat(BenchMemory.nativeCommittedMiB("Native memory tracking is not enabled").isEmpty()).isTrue();
    }
}
