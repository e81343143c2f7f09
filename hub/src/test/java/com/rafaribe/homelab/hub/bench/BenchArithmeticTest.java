package com.rafaribe.homelab.hub.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's own arithmetic: paths grouped without names, percentiles by nearest rank. */
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
    void nearestRankPercentiles() {
        List<Double> hundred = java.util.stream.IntStream.rangeClosed(1, 100).mapToObj(i -> (double) i).toList();
        assertThat(BenchReport.nearestRank(hundred, 50)).isEqualTo(50.0);
        assertThat(BenchReport.nearestRank(hundred, 99)).isEqualTo(99.0);
        assertThat(BenchReport.nearestRank(List.of(7.0), 99)).isEqualTo(7.0);
        assertThat(BenchReport.percentiles(List.of(3.0, 1.0, 2.0)).getDouble("max")).isEqualTo(3.0);
    }
}
