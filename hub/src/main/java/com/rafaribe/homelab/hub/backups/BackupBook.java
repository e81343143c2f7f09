package com.rafaribe.homelab.hub.backups;

import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.BackupGone;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.BackupView;
import com.rafaribe.homelab.hub.backups.BackupHealth.Assessment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every backup the hub watches and what it knows of each: the read model's source of {@link
 * BackupView}s. Pure: each input returns the views that changed (or {@link BackupGone}s), and
 * {@link #tick} those that turned Late with time alone. Bounded: per backup its {@link
 * BackupFacts}, at most {@value #MAX_FAILED_PODS} failed pods and {@value #MAX_UNLOCKS} unlocks,
 * the newest kept.
 */
public final class BackupBook {
    static final int MAX_FAILED_PODS = 100;
    static final int MAX_UNLOCKS = 20;
    static final String VOLSYNC_DESTINATION_JOB = "volsync-dst-";

    /** An unlock of the backup, as the policy reported it. */
    record Unlock(String pod, String state, Instant detectedAt, String cause) {
    }

    private static final class Entry {
        /** Null until the resource is seen: a failed pod or an unlock may be reported first. */
        BackupFacts facts;
        /** Failed mover pods by UID, with their creation: those created after the last success count. */
        final Map<String, Instant> failedPods = new LinkedHashMap<>();
        final Map<String, Unlock> unlocks = new LinkedHashMap<>();
        BackupView published;
        Instant changesAt;
    }

    private record Connection(String state, Instant since) {
    }

    private final Map<String, Entry> entries = new HashMap<>();
    private final Map<String, Connection> clusters = new HashMap<>();

    public List<ReadModelUpdate> changed(BackupFacts facts, Instant now) {
        Entry e = entries.computeIfAbsent(facts.key(), k -> new Entry());
        e.facts = facts;
        return assess(e, now);
    }

    public List<ReadModelUpdate> deleted(String cluster, String kind, String namespace, String name) {
        Entry e = entries.remove(BackupFacts.key(cluster, kind, namespace, name));
        return e == null || e.published == null ? List.of() : List.of(new BackupGone(cluster, kind, namespace, name));
    }

    /** @param ownerKind ReplicationSource or ReplicationDestination, as the mover Job's owner says; other pods are ignored */
    public List<ReadModelUpdate> moverPodFailed(String cluster, String ownerKind, String namespace, String ownerName, String podUid,
                                                Instant createdAt, Instant now) {
        if (!BackupFacts.SOURCE.equals(ownerKind) && !BackupFacts.DESTINATION.equals(ownerKind) || ownerName == null || podUid == null) {
            return List.of();
        }
        Entry e = entries.computeIfAbsent(BackupFacts.key(cluster, ownerKind, namespace, ownerName), k -> new Entry());
        if (e.failedPods.containsKey(podUid)) {
            return List.of();
        }
        e.failedPods.put(podUid, createdAt);
        trim(e.failedPods, MAX_FAILED_PODS);
        return assess(e, now);
    }

    /**
     * An unlock of the policy's: its backup is the failed Job's owner (a destination when VolSync named the Job volsync-dst-).
     * Why its lock was left is the unlock's own {@code cause}, known once the unlock was decided.
     */
    public List<ReadModelUpdate> unlock(ReadModelUpdate.UnlockView u, Instant now) {
        if (u.app() == null || u.failedPodUid() == null) {
            return List.of();
        }
        String kind = u.failedJob() != null && u.failedJob().startsWith(VOLSYNC_DESTINATION_JOB) ? BackupFacts.DESTINATION : BackupFacts.SOURCE;
        Entry e = entries.computeIfAbsent(BackupFacts.key(u.cluster(), kind, u.namespace(), u.app()), k -> new Entry());
        e.unlocks.put(u.failedPodUid(), new Unlock(u.failedPodUid(), u.state(), u.detectedAt(), u.cause()));
        trim(e.unlocks, MAX_UNLOCKS);
        return assess(e, now);
    }

    /** The cluster's connection changed: its backups turn Unknown, or back. */
    public List<ReadModelUpdate> cluster(String cluster, String state, Instant since, Instant now) {
        Connection previous = clusters.put(cluster, new Connection(state, since));
        if (previous != null && previous.state().equals(state)) {
            return List.of();
        }
        List<ReadModelUpdate> out = new ArrayList<>();
        entries.values().stream().filter(e -> e.facts != null && e.facts.cluster().equals(cluster)).forEach(e -> out.addAll(assess(e, now)));
        return out;
    }

    /** The cluster has listed everything: what was reported of a backup it does not have (a failed pod of a deleted one) goes. */
    public void synced(String cluster) {
        entries.entrySet().removeIf(en -> en.getValue().facts == null && en.getKey().startsWith(cluster + "/"));
    }

    /** The cluster is watched no more: every backup of it is gone. */
    public List<ReadModelUpdate> clusterGone(String cluster) {
        clusters.remove(cluster);
        List<ReadModelUpdate> out = new ArrayList<>();
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            BackupView v = e.published;
            if (v != null && v.cluster().equals(cluster)) {
                out.add(new BackupGone(v.cluster(), v.kind(), v.namespace(), v.name()));
            }
            if (v != null && v.cluster().equals(cluster) || e.facts != null && e.facts.cluster().equals(cluster)) {
                it.remove();
            }
        }
        synced(cluster);
        return out;
    }

    /** Time passed: the backups whose assessment said it would change by now are assessed again. */
    public List<ReadModelUpdate> tick(Instant now) {
        List<ReadModelUpdate> out = new ArrayList<>();
        entries.values().stream().filter(e -> e.changesAt != null && !now.isBefore(e.changesAt)).forEach(e -> out.addAll(assess(e, now)));
        return out;
    }

    public int size() {
        return (int) entries.values().stream().filter(e -> e.facts != null).count();
    }

    private List<ReadModelUpdate> assess(Entry e, Instant now) {
        if (e.facts == null) {
            return List.of();
        }
        BackupFacts f = e.facts;
        Instant last = f.lastSyncTime();
        // What happened before the last success is history: it neither counts nor needs keeping.
        e.failedPods.values().removeIf(created -> last != null && created != null && !created.isAfter(last));
        int lockFailures = (int) e.unlocks.values().stream().filter(u -> after(u.detectedAt(), last)).count();
        Unlock newest = e.unlocks.values().stream().max(Comparator.comparing((Unlock u) -> u.detectedAt() == null ? Instant.MIN : u.detectedAt()))
                .orElse(null);
        HubKnowledge k = newest == null ? new HubKnowledge(e.failedPods.size(), lockFailures, null, null, null, null)
                : new HubKnowledge(e.failedPods.size(), lockFailures, newest.state(), newest.detectedAt(), newest.pod(), newest.cause());
        Connection c = clusters.getOrDefault(f.cluster(), new Connection("Connecting", null));
        Assessment a = BackupHealth.assess(f, k, c.state(), c.since(), now);
        e.changesAt = a.changesAt();
        BackupView view = new BackupView(f.cluster(), f.kind(), f.namespace(), f.name(), f.mover(), f.trigger(), f.schedule(), last,
                f.lastSyncDuration() == null ? null : f.lastSyncDuration().toMillis() / 1000.0, f.nextSyncTime(), f.latestResult(),
                k.consecutiveFailures(), lockFailures, k.unlockState(), k.unlockPod(), k.unlockCause(),
                k.lockWaitedOn() ? k.unlockDetectedAt() : null, a.state().name(), a.reason());
        if (view.equals(e.published)) {
            return List.of();
        }
        e.published = view;
        return List.of(view);
    }

    private static boolean after(Instant event, Instant lastSuccess) {
        return event == null || lastSuccess == null || event.isAfter(lastSuccess);
    }

    private static void trim(Map<String, ?> map, int max) {
        Iterator<String> oldest = map.keySet().iterator();
        while (map.size() > max && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }
}
