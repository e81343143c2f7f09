package com.rafaribe.homelab.hub.dashboard;

import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.ClusterView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.FailureView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.MonitorGone;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.MonitorView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.UnlockView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the dashboard and the API show, built from the read-model updates only. Bounded: every
 * active unlock, the newest finished ones and the newest failures, so memory does not grow with time.
 */
public final class ReadModel {
    static final int MAX_FINISHED_UNLOCKS = 200;
    static final int MAX_FAILURES = 500;

    private final Map<String, ClusterView> clusters = new TreeMap<>();
    private final Map<String, UnlockView> unlocks = new LinkedHashMap<>();
    private final Map<String, FailureView> failures = new LinkedHashMap<>();
    private final Map<String, MonitorView> monitors = new TreeMap<>();
    /** Every backup of every watched cluster, by cluster/kind/namespace/name: one view each, no history. */
    private final Map<String, ReadModelUpdate.BackupView> backups = new TreeMap<>();
    /** The clusters the kubeconfigs name, once they have been read: null before. */
    private Set<String> configured;

    public void apply(ReadModelUpdate update) {
        if (update instanceof ClusterView c) {
            clusters.put(c.name(), c);
        } else if (update instanceof ReadModelUpdate.ClusterGone g) {
            clusters.remove(g.name());
            unlocks.values().removeIf(u -> u.cluster().equals(g.name()));
            failures.values().removeIf(f -> f.cluster().equals(g.name()));
            monitors.values().removeIf(m -> m.cluster().equals(g.name()));
            backups.values().removeIf(b -> b.cluster().equals(g.name()));
        } else if (update instanceof ReadModelUpdate.BackupView b) {
            backups.put(backupKey(b.cluster(), b.kind(), b.namespace(), b.name()), b);
        } else if (update instanceof ReadModelUpdate.BackupGone g) {
            backups.remove(backupKey(g.cluster(), g.kind(), g.namespace(), g.name()));
        } else if (update instanceof UnlockView u) {
            String key = u.cluster() + "/" + u.failedPodUid();
            unlocks.remove(key);
            unlocks.put(key, u);
            trimFinished();
        } else if (update instanceof FailureView f) {
            String key = f.cluster() + "/" + f.failedPodUid();
            failures.remove(key);
            failures.put(key, f);
            while (failures.size() > MAX_FAILURES) {
                failures.remove(failures.keySet().iterator().next());
            }
        } else if (update instanceof MonitorView m) {
            monitors.put(m.cluster() + "/" + m.namespace() + "/" + m.name(), m);
        } else if (update instanceof MonitorGone g) {
            monitors.remove(g.cluster() + "/" + g.namespace() + "/" + g.name());
        }
    }

    private static String backupKey(String cluster, String kind, String namespace, String name) {
        return cluster + "/" + kind + "/" + namespace + "/" + name;
    }

    private void trimFinished() {
        long finished = unlocks.values().stream().filter(ReadModel::finished).count();
        var it = unlocks.values().iterator();
        while (finished > MAX_FINISHED_UNLOCKS && it.hasNext()) {
            if (finished(it.next())) {
                it.remove();
                finished--;
            }
        }
    }

    private static boolean finished(UnlockView u) {
        return "Succeeded".equals(u.state()) || "Failed".equals(u.state());
    }

    public List<ClusterView> clusters() {
        return new ArrayList<>(clusters.values());
    }

    public List<UnlockView> unlocks() {
        return new ArrayList<>(unlocks.values());
    }

    public List<FailureView> failures() {
        return new ArrayList<>(failures.values());
    }

    public List<MonitorView> monitors() {
        return new ArrayList<>(monitors.values());
    }

    public List<ReadModelUpdate.BackupView> backups() {
        return new ArrayList<>(backups.values());
    }

    /** The backup view this update replaces or removes, if the model holds it. */
    ReadModelUpdate.BackupView previousBackup(ReadModelUpdate update) {
        if (update instanceof ReadModelUpdate.BackupView b) {
            return backups.get(backupKey(b.cluster(), b.kind(), b.namespace(), b.name()));
        }
        return update instanceof ReadModelUpdate.BackupGone g ? backups.get(backupKey(g.cluster(), g.kind(), g.namespace(), g.name())) : null;
    }

    /** The unlock this update replaces, if the model holds it. */
    UnlockView previous(ReadModelUpdate update) {
        return update instanceof UnlockView u ? unlocks.get(u.cluster() + "/" + u.failedPodUid()) : null;
    }

    /** When the longest-waiting of the cluster's unlocks in these states was detected, if any is. */
    java.util.Optional<java.time.Instant> firstDetected(String cluster, java.util.Set<String> states) {
        return unlocks.values().stream().filter(u -> u.cluster().equals(cluster) && states.contains(u.state()) && u.detectedAt() != null)
                .map(UnlockView::detectedAt).min(java.time.Instant::compareTo);
    }

    int countUnlocks(String cluster, java.util.Set<String> states) {
        return (int) unlocks.values().stream().filter(u -> u.cluster().equals(cluster) && states.contains(u.state())).count();
    }

    /** The clusters the kubeconfigs name now, as the supervisor read them. */
    public void configured(Set<String> names) {
        configured = Set.copyOf(names);
    }

    /**
     * Ready when the kubeconfigs have been read and every cluster they name has synced or failed: not
     * before the reading, nor while a cluster is still connecting or has not said anything yet.
     */
    public boolean ready() {
        return configured != null && clusters.keySet().containsAll(configured)
                && clusters.values().stream().noneMatch(c -> "Connecting".equals(c.state()));
    }
}
