package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.bus.ClusterEvent.PodFact;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The watched pods (VolSync movers and the hub's unlock pods) of every cluster, as their watches
 * reported them, and the ones seen deleted (by namespace, name and UID, the newest
 * {@value #DELETED_PER_CLUSTER} per cluster): enough to say whether a repository is in use and
 * whether a lock holder was seen to go, without asking any cluster.
 */
final class PodTable {
    static final int DELETED_PER_CLUSTER = 10_000;

    private final Map<String, Map<String, PodFact>> live = new HashMap<>();
    private final Map<String, Map<String, PodFact>> deleted = new HashMap<>();

    void changed(String cluster, PodFact pod, boolean gone) {
        Map<String, PodFact> pods = live.computeIfAbsent(cluster, c -> new HashMap<>());
        if (!gone) {
            pods.put(pod.uid(), pod);
            return;
        }
        pods.remove(pod.uid());
        deleted.computeIfAbsent(cluster, c -> new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, PodFact> eldest) {
                return size() > DELETED_PER_CLUSTER;
            }
        }).put(pod.namespace() + "/" + pod.name() + "/" + pod.uid(), pod);
    }

    void forget(String cluster) {
        live.remove(cluster);
        deleted.remove(cluster);
    }

    PodFact get(String cluster, String uid) {
        return live.getOrDefault(cluster, Map.of()).get(uid);
    }

    /** A Pending or Running pod of the repository other than these, if any: "namespace/name". */
    Optional<PodFact> busy(String cluster, String repository, Set<String> exceptUids) {
        return live.getOrDefault(cluster, Map.of()).values().stream()
                .filter(p -> p.alive() && repository.equals(p.repository()) && !exceptUids.contains(p.uid()))
                .findFirst();
    }

    /**
     * A pod of the repository (same cluster and key), live or seen deleted, created after
     * {@code since} and seen past Pending: it ran restic on the repository after that time. What it finds survives a
     * restart of the hub as long as the pod does.
     */
    Optional<PodFact> startedSince(String cluster, String repository, Instant since, Set<String> exceptUids) {
        for (Map<String, Map<String, PodFact>> table : List.of(live, deleted)) {
            for (PodFact p : table.getOrDefault(cluster, Map.of()).values()) {
                if (repository.equals(p.repository()) && ran(p) && p.createdAt() != null && p.createdAt().isAfter(since) && !exceptUids.contains(p.uid())) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** Its containers started (or it ended): a pod deleted while Pending never ran restic. */
    static boolean ran(PodFact p) {
        return p.phase() != null && !"Pending".equals(p.phase());
    }

    /** Clusters (other than {@code cluster}) where a watched pod uses the same repository location. */
    Set<String> clustersSharing(String location) {
        Set<String> clusters = new TreeSet<>();
        if (location == null) {
            return clusters;
        }
        live.forEach((cluster, pods) -> {
            if (pods.values().stream().anyMatch(p -> location.equals(p.location()))) {
                clusters.add(cluster);
            }
        });
        return clusters;
    }

    /** Namespaces of a cluster whose watched pods use the repository location. */
    Set<String> namespacesSharing(String cluster, String location) {
        Set<String> namespaces = new TreeSet<>();
        if (location != null) {
            live.getOrDefault(cluster, Map.of()).values().stream().filter(p -> location.equals(p.location()))
                    .forEach(p -> namespaces.add(p.namespace()));
        }
        return namespaces;
    }

    /** A pod of that name the hub saw deleted in one of these namespaces, the newest first. */
    Optional<PodFact> deleted(String cluster, Set<String> namespaces, String name) {
        PodFact found = null;
        for (PodFact p : deleted.getOrDefault(cluster, new LinkedHashMap<>()).values()) {
            if (p.name().equals(name) && namespaces.contains(p.namespace())) {
                found = p;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The unlock pods of one unlock Job. */
    java.util.List<PodFact> unlockPodsOf(String cluster, String namespace, String job) {
        return live.getOrDefault(cluster, Map.of()).values().stream()
                .filter(p -> p.unlock() && namespace.equals(p.namespace()) && job.equals(p.jobName())).toList();
    }

    /** A watched pod of that name in one of these namespaces that is not deleted. */
    Optional<PodFact> named(String cluster, Set<String> namespaces, String name) {
        return live.getOrDefault(cluster, Map.of()).values().stream()
                .filter(p -> p.name().equals(name) && namespaces.contains(p.namespace())).findFirst();
    }
}
