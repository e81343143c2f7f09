package com.rafaribe.homelab.hub.dashboard;

import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.BackupView;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Set;

/**
 * {@code /api/backups?cluster=&namespace=&state=&kind=}: the page's filters, on the server, so a
 * script asks for the late backups of one cluster without reading every backup. A parameter given
 * more than once matches any of its values; one not given matches all.
 */
record BackupFilter(Set<String> clusters, Set<String> namespaces, Set<String> states, Set<String> kinds) {
    static BackupFilter of(MultiMap query) {
        return new BackupFilter(Set.copyOf(query.getAll("cluster")), Set.copyOf(query.getAll("namespace")),
                Set.copyOf(query.getAll("state")), Set.copyOf(query.getAll("kind")));
    }

    List<BackupView> apply(List<BackupView> backups) {
        return backups.stream().filter(b -> matches(clusters, b.cluster()) && matches(namespaces, b.namespace())
                && matches(states, b.state()) && matches(kinds, b.kind())).toList();
    }

    private static boolean matches(Set<String> wanted, String value) {
        return wanted.isEmpty() || wanted.contains(value);
    }
}
