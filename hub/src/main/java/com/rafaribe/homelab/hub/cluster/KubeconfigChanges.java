package com.rafaribe.homelab.hub.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What to do when the kubeconfigs have been read again: start the clusters that are new, stop
 * those whose context is gone, restart those whose content changed, and leave every other one
 * alone. A file that no longer parses (half written, wrong YAML) keeps its clusters running on
 * the last good content, with the error shown on them, until it parses again. Pure: no I/O.
 *
 * @param start        clusters to start, restarted ones included
 * @param stop         names of the clusters to stop, restarted ones included (stopped first)
 * @param configErrors for every cluster that keeps running: the problem of its file, or null when none
 */
public record KubeconfigChanges(List<ClusterTarget> start, List<String> stop, Map<String, String> configErrors) {

    public static KubeconfigChanges between(Collection<ClusterTarget> running, List<ClusterTarget> discovered) {
        Map<Path, String> brokenFiles = discovered.stream().filter(ClusterTarget::isBrokenFile)
                .collect(Collectors.toMap(ClusterTarget::file, ClusterTarget::problem, (a, b) -> a));
        Set<Path> keptFiles = running.stream().filter(t -> t.context() != null && brokenFiles.containsKey(t.file()))
                .map(ClusterTarget::file).collect(Collectors.toSet());

        Map<String, ClusterTarget> wanted = new LinkedHashMap<>();
        for (ClusterTarget t : discovered) {
            if (!(t.isBrokenFile() && keptFiles.contains(t.file()))) {
                wanted.put(t.name(), t);
            }
        }
        Map<String, String> configErrors = new LinkedHashMap<>();
        for (ClusterTarget t : running) {
            if (t.context() != null && keptFiles.contains(t.file()) && !wanted.containsKey(t.name())) {
                wanted.put(t.name(), t);
                configErrors.put(t.name(), brokenFiles.get(t.file()) + " (the last good configuration of this context keeps running)");
            }
        }

        Map<String, ClusterTarget> current = new LinkedHashMap<>();
        running.forEach(t -> current.put(t.name(), t));
        List<ClusterTarget> start = new ArrayList<>();
        List<String> stop = new ArrayList<>();
        for (ClusterTarget t : wanted.values()) {
            ClusterTarget now = current.get(t.name());
            if (now == null) {
                start.add(t);
            } else if (!same(now, t)) {
                stop.add(t.name());
                start.add(t);
            } else {
                configErrors.putIfAbsent(t.name(), null);
            }
        }
        for (String name : current.keySet()) {
            if (!wanted.containsKey(name)) {
                stop.add(name);
            }
        }
        return new KubeconfigChanges(start, stop, configErrors);
    }

    /** The same connection: the context's content, and where it comes from (a relative path resolves against the file). */
    private static boolean same(ClusterTarget a, ClusterTarget b) {
        return a.fingerprint().equals(b.fingerprint()) && Objects.equals(a.file(), b.file())
                && Objects.equals(a.problem(), b.problem());
    }

    public boolean changesNothing() {
        return start.isEmpty() && stop.isEmpty();
    }
}
