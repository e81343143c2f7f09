package com.rafaribe.homelab.hub.cluster;

import java.util.LinkedHashMap;
import java.util.Map;

/** Names of pods this cluster saw deleted, the newest {@code capacity} of them: such a lock holder is provably gone. */
final class DeletedPods {
    private final Map<String, Boolean> names;

    DeletedPods(int capacity) {
        this.names = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized void add(String name) {
        names.put(name, Boolean.TRUE);
    }

    synchronized boolean contains(String name) {
        return names.containsKey(name);
    }
}
