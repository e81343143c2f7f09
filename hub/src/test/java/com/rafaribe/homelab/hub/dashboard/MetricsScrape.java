package com.rafaribe.homelab.hub.dashboard;

import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.ClusterView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.MonitorView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.UnlockView;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;

/** What GET /metrics holds once every one of the hub's metric families has a series: for checks of what reads them (alert rules). */
public final class MetricsScrape {
    private MetricsScrape() {
    }

    public static String withEveryFamily() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ReadModel model = new ReadModel();
        Instant now = Instant.now();
        HubMetrics metrics = new HubMetrics(registry, model, now.minusSeconds(3600));
        for (ReadModelUpdate update : new ReadModelUpdate[] {
                new ClusterView("east", "https://e", "Connected", null, now, 1, 1, null, null, now.plusSeconds(86400), java.util.List.of()),
                new MonitorView("east", "media", "volsync-monitor", true, true, true, "Active", null, 3, 2, 1, 3, 0, 0, true),
                unlock("a", "Failed", now.minusSeconds(600), now.minusSeconds(590), now.minusSeconds(500)),
                unlock("b", "Succeeded", now.minusSeconds(600), now.minusSeconds(590), now.minusSeconds(500)),
                unlock("c", "WaitingForHolder", now.minusSeconds(60), null, null),
                unlock("d", "Running", now.minusSeconds(60), now.minusSeconds(50), null),
                new ReadModelUpdate.BackupView("east", "ReplicationSource", "media", "sonarr", "restic", "schedule", "0 * * * *",
                        now.minusSeconds(7200), 30.0, now.plusSeconds(600), "Successful", 2, 1, "WaitingForHolder", "c", null,
                        now.minusSeconds(60), "Locked", "a lock failure is waited on")}) {
            metrics.record(update, model.previous(update));
            model.apply(update);
        }
        com.rafaribe.homelab.hub.api.bus.StageTiming.STAGES
                .forEach(stage -> metrics.stage(new com.rafaribe.homelab.hub.api.bus.StageTiming(stage, "east", 5_000_000L)));
        return registry.scrape();
    }

    private static UnlockView unlock(String uid, String state, Instant detected, Instant created, Instant finished) {
        return new UnlockView("east", "media", "media/volsync-monitor", "sonarr", "volsync-src-sonarr", "volsync-src-sonarr-" + uid, uid,
                created == null ? null : "volsync-unlock-sonarr-" + uid, state, "why", "locked", "truenas", "east/media/repo-" + uid,
                detected, created, finished, null);
    }
}
