package com.rafaribe.homelab.hub.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.ClusterView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.MonitorGone;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.MonitorView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.UnlockView;
import com.rafaribe.homelab.hub.api.bus.StageTiming;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The metrics deploy/monitoring's alerts read: a Degraded monitor, and how long the oldest unlock has waited. */
class HubMetricsTest {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final ReadModel model = new ReadModel();
    final HubMetrics metrics = new HubMetrics(registry, model, Instant.now().minusSeconds(7200));

    void publish(ReadModelUpdate update) {
        metrics.record(update, model.previous(update));
        model.apply(update);
    }

    static MonitorView monitor(String cluster, boolean degraded) {
        return new MonitorView(cluster, "media", "volsync-monitor", true, true, true, "Active", null, 3, 0, 3, 3, 0, 0, degraded);
    }

    static UnlockView unlock(String uid, String state, Instant detected) {
        return new UnlockView("east", "media", "media/volsync-monitor", "sonarr", "volsync-src-sonarr", "volsync-src-sonarr-" + uid, uid,
                null, state, "why", "locked", "truenas", "east/media/repo", detected, null, null, null);
    }

    @Test
    void eachStageOfAFailureIsAHistogramPerClusterThatGoesWithItsCluster() {
        publish(new ClusterView("east", "https://e", "Connected", null, Instant.now(), 1, 0, null));
        assertThat(registry.scrape()).as("every stage's series from the cluster's start").contains(StageTiming.STAGES.stream()
                .map(stage -> "volsync_hub_failure_stage_seconds_count{cluster=\"east\",stage=\"" + stage + "\"} 0").toList());
        metrics.stage(new StageTiming(StageTiming.LOG_READ, "east", 30_000_000L));
        metrics.stage(new StageTiming(StageTiming.LOG_READ, "east", 70_000_000L));
        metrics.stage(new StageTiming(StageTiming.JOB_CREATE, "east", 2_000_000L));
        String scrape = registry.scrape();
        assertThat(scrape).contains("volsync_hub_failure_stage_seconds_count{cluster=\"east\",stage=\"log_read\"} 2")
                .contains("volsync_hub_failure_stage_seconds_sum{cluster=\"east\",stage=\"log_read\"} 0.1")
                .contains("volsync_hub_failure_stage_seconds_bucket{cluster=\"east\",stage=\"log_read\",le=\"0.05\"} 1")
                .contains("volsync_hub_failure_stage_seconds_bucket{cluster=\"east\",stage=\"job_create\",le=\"0.005\"} 1");
        publish(new ReadModelUpdate.ClusterGone("east"));
        assertThat(registry.scrape()).doesNotContain("volsync_hub_failure_stage_seconds");
        // Bounded labels: a late answer from the gone cluster, an unknown cluster or stage add no series.
        metrics.stage(new StageTiming(StageTiming.JOB_CREATE, "east", 2_000_000L));
        metrics.stage(new StageTiming(StageTiming.JOB_CREATE, "nowhere", 2_000_000L));
        publish(new ClusterView("west", "https://w", "Connected", null, Instant.now(), 1, 0, null));
        metrics.stage(new StageTiming("made_up", "west", 2_000_000L));
        assertThat(registry.scrape()).doesNotContain("cluster=\"east\",stage=", "stage=\"made_up\"", "cluster=\"nowhere\"")
                .contains("volsync_hub_failure_stage_seconds_count{cluster=\"west\",stage=\"job_create\"} 0");
    }

    @Test
    void aDegradedMonitorIsOneUntilItRecoversOrGoes() {
        publish(new ClusterView("east", "https://e", "Connected", null, Instant.now(), 1, 0, null));
        publish(monitor("east", false));
        assertThat(registry.scrape()).contains("volsync_hub_monitor_degraded{cluster=\"east\",monitor=\"volsync-monitor\",monitor_namespace=\"media\"} 0");
        publish(monitor("east", true));
        assertThat(registry.scrape()).contains("volsync_hub_monitor_degraded{cluster=\"east\",monitor=\"volsync-monitor\",monitor_namespace=\"media\"} 1");
        publish(new MonitorGone("east", "media", "volsync-monitor"));
        assertThat(registry.scrape()).doesNotContain("volsync_hub_monitor_degraded{");
        publish(monitor("east", true));
        publish(new ReadModelUpdate.ClusterGone("east"));
        assertThat(registry.scrape()).doesNotContain("volsync_hub_monitor_degraded{", "cluster=\"east\"");
    }

    @Test
    void theOldestWaitingUnlockCountsFromItsDetectionUntilItRuns() {
        publish(new ClusterView("east", "https://e", "Connected", null, Instant.now(), 1, 0, null));
        assertThat(oldestWaiting()).isZero();
        Instant now = Instant.now();
        publish(unlock("a", "WaitingForHolder", now.minusSeconds(3900)));
        publish(unlock("b", "Queued", now.minusSeconds(60)));
        assertThat(oldestWaiting()).isBetween(3900.0, 3960.0);
        assertThat(registry.scrape()).contains("volsync_hub_unlocks_queued{cluster=\"east\"} 2");
        publish(unlock("a", "Running", now.minusSeconds(3900)));
        assertThat(oldestWaiting()).isBetween(60.0, 120.0);
        publish(unlock("b", "Cancelled", now.minusSeconds(60)));
        assertThat(oldestWaiting()).isZero();
    }

    /** Counted once, when decided: the cause is a label (a bounded one), "unknown" for an unlock that went on without one. */
    @Test
    void aLockErrorIsCountedOnceWhenDecidedByItsCause() {
        Instant now = Instant.now();
        String exited = "volsync_hub_lock_errors_detected_total{cause=\"exited\",cluster=\"east\"} 1";
        publish(unlock("a", "Queued", now));
        assertThat(registry.scrape()).as("not decided yet").doesNotContain("volsync_hub_lock_errors_detected_total{");
        publish(decided(unlock("a", "Running", now), "exited with code 137", "exited"));
        publish(decided(unlock("a", "Succeeded", now), "exited with code 137", "exited"));
        assertThat(registry.scrape()).contains(exited);
        publish(decided(unlock("b", "Running", now), "its own words", "not-a-label"));
        assertThat(registry.scrape()).contains("volsync_hub_lock_errors_detected_total{cause=\"unknown\",cluster=\"east\"} 1")
                .doesNotContain("not-a-label");
    }

    static UnlockView decided(UnlockView u, String cause, String label) {
        return new UnlockView(u.cluster(), u.namespace(), u.monitor(), u.app(), u.failedJob(), u.failedPod(), u.failedPodUid(), u.unlockJob(),
                u.state(), u.reason(), u.matched(), u.holder(), u.repository(), u.detectedAt(), u.createdAt(), u.finishedAt(), u.recoveredAt(),
                cause, label);
    }

    @Test
    void aCredentialsExpiryIsASeriesWhileItIsKnown() {
        Instant exp = Instant.parse("2027-01-01T00:00:00Z");
        publish(new ClusterView("east", "https://e", "Connected", null, Instant.now(), 1, 0, null, null, exp, java.util.List.of()));
        assertThat(registry.scrape()).contains("volsync_hub_cluster_credential_expiry_timestamp_seconds{cluster=\"east\"} 1.7987616E9");
        publish(new ClusterView("east", "https://e", "Connected", null, Instant.now(), 1, 0, null, null, exp.plusSeconds(86400),
                java.util.List.of()));
        assertThat(registry.scrape()).contains("volsync_hub_cluster_credential_expiry_timestamp_seconds{cluster=\"east\"} 1.798848E9");
        publish(new ClusterView("east", "https://e", "Connected", null, Instant.now(), 1, 0, null));
        assertThat(registry.scrape()).as("a static token: no value rather than a made-up one")
                .doesNotContain("volsync_hub_cluster_credential_expiry_timestamp_seconds{");
        publish(new ClusterView("east", "https://e", "Connected", null, Instant.now(), 1, 0, null, null, exp, java.util.List.of()));
        publish(new ReadModelUpdate.ClusterGone("east"));
        assertThat(registry.scrape()).doesNotContain("volsync_hub_cluster_credential_expiry_timestamp_seconds{");
    }

    double oldestWaiting() {
        String scrape = registry.scrape();
        assertThat(scrape).contains("# TYPE volsync_hub_unlock_oldest_waiting_seconds gauge");
        Matcher m = Pattern.compile("(?m)^volsync_hub_unlock_oldest_waiting_seconds\\{cluster=\"east\"} (\\S+)$").matcher(scrape);
        assertThat(m.find()).as(scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    static ReadModelUpdate.BackupView backup(String cluster, String state, Instant lastSync, int failures, Instant lockSince) {
        return new ReadModelUpdate.BackupView(cluster, "ReplicationSource", "media", "photos", "restic", "schedule", "0 2 * * *", lastSync,
                60.0, null, "Successful", failures, lockSince == null ? 0 : 1, lockSince == null ? null : "WaitingForHolder", "uid",
                null, lockSince, state, "why");
    }

    static final String LABELS = "backup=\"photos\",backup_namespace=\"media\",cluster=\"east\",kind=\"ReplicationSource\"";

    @Test
    void aBackupsSeriesFollowItsStateAndGoWithIt() {
        publish(new ClusterView("east", "https://e", "Connected", null, Instant.now(), 1, 0, null));
        publish(backup("east", "NeverSucceeded", null, 0, null));
        assertThat(registry.scrape()).contains("volsync_hub_backup_state{" + LABELS + ",state=\"NeverSucceeded\"} 1",
                        "volsync_hub_backup_state{" + LABELS + ",state=\"Healthy\"} 0", "volsync_hub_backup_consecutive_failures{" + LABELS + "} 0")
                .as("no success yet: no series").doesNotContain("volsync_hub_backup_last_success_timestamp_seconds{")
                .doesNotContain("volsync_hub_repository_lock_age_seconds{");

        Instant lockSince = Instant.now().minusSeconds(3600);
        publish(backup("east", "Locked", Instant.parse("2027-01-01T00:00:00Z"), 2, lockSince));
        String scrape = registry.scrape();
        assertThat(scrape).contains("volsync_hub_backup_state{" + LABELS + ",state=\"Locked\"} 1",
                "volsync_hub_backup_state{" + LABELS + ",state=\"NeverSucceeded\"} 0",
                "volsync_hub_backup_last_success_timestamp_seconds{" + LABELS + "} 1.7987616E9",
                "volsync_hub_backup_consecutive_failures{" + LABELS + "} 2");
        Matcher age = Pattern.compile("volsync_hub_repository_lock_age_seconds\\{" + Pattern.quote(LABELS) + "} (\\S+)").matcher(scrape);
        assertThat(age.find()).as(scrape).isTrue();
        assertThat(Double.parseDouble(age.group(1))).isBetween(3600.0, 3660.0);

        publish(backup("east", "Healthy", Instant.parse("2027-01-01T00:00:00Z"), 0, null));
        assertThat(registry.scrape()).as("no lock waited on: no series").doesNotContain("volsync_hub_repository_lock_age_seconds{")
                .contains("volsync_hub_backup_state{" + LABELS + ",state=\"Healthy\"} 1");

        publish(new ReadModelUpdate.BackupGone("east", "ReplicationSource", "media", "photos"));
        assertThat(registry.scrape()).doesNotContain("volsync_hub_backup_", "volsync_hub_repository_lock_age_seconds{");

        publish(backup("east", "Locked", Instant.parse("2027-01-01T00:00:00Z"), 1, lockSince));
        publish(new ReadModelUpdate.ClusterGone("east"));
        assertThat(registry.scrape()).as("a cluster that goes takes its backups' series").doesNotContain("volsync_hub_backup_",
                "volsync_hub_repository_lock_age_seconds{");
    }
}
