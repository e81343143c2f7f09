package com.rafaribe.homelab.hub.backups;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What is kept of a ReplicationSource/Destination as VolSync writes it, and what a malformed one becomes. */
class BackupFactsTest {
    static GenericKubernetesResource yaml(String text) {
        return Serialization.unmarshal(text, GenericKubernetesResource.class);
    }

    @Test
    void aScheduledResticSourceAsVolSyncWritesIt() {
        BackupFacts f = BackupFacts.of("east", BackupFacts.SOURCE, yaml("""
                apiVersion: volsync.backube/v1alpha1
                kind: ReplicationSource
                metadata: {name: photos, namespace: media, creationTimestamp: "2025-12-01T00:00:00Z"}
                spec:
                  sourcePVC: photos
                  trigger: {schedule: "0 2 * * *"}
                  restic: {repository: photos-restic}
                status:
                  lastSyncTime: "2026-01-02T02:05:00Z"
                  lastSyncDuration: 1m3.5s
                  nextSyncTime: "2026-01-03T02:00:00Z"
                  latestMoverStatus: {result: Successful, logs: "...", time: "2026-01-02T02:05:00Z"}
                """));
        assertThat(f).isEqualTo(new BackupFacts("east", BackupFacts.SOURCE, "media", "photos", "restic", BackupFacts.SCHEDULE, "0 2 * * *",
                false, Instant.parse("2025-12-01T00:00:00Z"), Instant.parse("2026-01-02T02:05:00Z"), Duration.ofMillis(63_500),
                Instant.parse("2026-01-03T02:00:00Z"), "Successful", Instant.parse("2026-01-02T02:05:00Z")));
        assertThat(f.key()).isEqualTo("east/ReplicationSource/media/photos");
    }

    @Test
    void aManualRsyncTlsDestinationPausedAndNeverSynced() {
        BackupFacts f = BackupFacts.of("west", BackupFacts.DESTINATION, yaml("""
                apiVersion: volsync.backube/v1alpha1
                kind: ReplicationDestination
                metadata: {name: restore, namespace: media}
                spec: {paused: true, trigger: {manual: restore-once}, rsyncTLS: {}}
                """));
        assertThat(f.mover()).isEqualTo("rsync");
        assertThat(f.trigger()).isEqualTo(BackupFacts.MANUAL);
        assertThat(f.schedule()).isNull();
        assertThat(f.paused()).isTrue();
        assertThat(f.lastSyncTime()).isNull();
    }

    @Test
    void malformedFieldsAreNullNeverAnError() {
        BackupFacts f = BackupFacts.of("east", BackupFacts.SOURCE, yaml("""
                apiVersion: volsync.backube/v1alpha1
                kind: ReplicationSource
                metadata: {name: odd, namespace: media}
                spec: {trigger: "not a map", rclone: {}}
                status: {lastSyncTime: yesterday, lastSyncDuration: long, latestMoverStatus: [1]}
                """));
        assertThat(f.mover()).isEqualTo("rclone");
        assertThat(f.trigger()).isEqualTo(BackupFacts.NONE);
        assertThat(f.lastSyncTime()).isNull();
        assertThat(f.lastSyncDuration()).isNull();
        assertThat(f.latestResult()).isNull();
        assertThat(BackupFacts.mover(java.util.Map.of("syncthing", java.util.Map.of()))).isEqualTo("other");
    }
}
