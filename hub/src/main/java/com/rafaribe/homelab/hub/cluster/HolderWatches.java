package com.rafaribe.homelab.hub.cluster;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Watches on single pods by name: the live lock holders that unlock records wait for, where the
 * pod informers (VolSync movers, the hub's unlock pods) do not cover them. Waiting for a holder is
 * then one watch on its name, from the resourceVersion the holder lookup's GET saw, not a GET
 * every re-check; while a watch runs, the lookup reads the pod's state from it. Any change of the
 * pod, its deletion, or the end of the watch is told through {@code changed} (namespace, name),
 * on fabric8's threads: the waiting records ask again.
 */
final class HolderWatches implements AutoCloseable {
    /** Holder GETs remembered for the watch that may follow: the policy decides to wait on the answer just given. */
    private static final int SEEN = 256;

    private final KubernetesClient client;
    private final BiConsumer<String, String> changed;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Map<String, Pod> seen = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pod> eldest) {
            return size() > SEEN;
        }
    });
    private volatile boolean closed;

    /** One watched name: the records waiting for it, the watch, the pod as the watch last told it (null: none of that name). */
    private static final class Held {
        final Set<String> records = ConcurrentHashMap.newKeySet();
        volatile Watch watch;
        volatile Pod pod;
        volatile boolean known;
    }

    HolderWatches(KubernetesClient client, BiConsumer<String, String> changed) {
        this.client = client;
        this.changed = changed;
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    /** What a running watch says of the name: empty when none runs (the lookup must GET); else the pod, null when there is none. */
    Optional<Optional<Pod>> current(String namespace, String name) {
        Held h = held.get(key(namespace, name));
        return h == null || !h.known ? Optional.empty() : Optional.of(Optional.ofNullable(h.pod));
    }

    /** The holder lookup's GET found this pod: a watch on it starts from this resourceVersion. */
    void seen(Pod pod) {
        seen.put(key(pod.getMetadata().getNamespace(), pod.getMetadata().getName()), pod);
    }

    /** Blocking (a GET when the lookup's is not remembered): call it off the event loop. */
    void watch(String recordKey, String namespace, String name) {
        String key = key(namespace, name);
        Held h = held.computeIfAbsent(key, k -> new Held());
        synchronized (h) {
            h.records.add(recordKey);
            if (h.watch != null || closed) {
                return;
            }
            Pod from = seen.remove(key);
            if (from == null) {
                from = client.pods().inNamespace(namespace).withName(name).get();
            }
            if (from == null) {
                // Gone before the watch began: the records ask again, and find it gone.
                held.remove(key, h);
                changed.accept(namespace, name);
                return;
            }
            h.pod = from;
            h.known = true;
            h.watch = client.pods().inNamespace(namespace).withName(name)
                    .watch(new ListOptionsBuilder().withResourceVersion(from.getMetadata().getResourceVersion()).build(), new Watcher<>() {
                        @Override
                        public void eventReceived(Action action, Pod pod) {
                            if (action == Action.ERROR) {
                                return;
                            }
                            h.pod = action == Action.DELETED ? null : pod;
                            tell(namespace, name);
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                            // Closed by the server (410 Gone, say) rather than by the hub: what it missed is unknown, so ask again.
                            if (held.remove(key, h)) {
                                tell(namespace, name);
                            }
                        }
                    });
        }
    }

    void unwatch(String recordKey, String namespace, String name) {
        String key = key(namespace, name);
        Held h = held.get(key);
        if (h == null) {
            return;
        }
        synchronized (h) {
            h.records.remove(recordKey);
            if (h.records.isEmpty() && held.remove(key, h) && h.watch != null) {
                h.watch.close();
            }
        }
    }

    int size() {
        return held.size();
    }

    private void tell(String namespace, String name) {
        if (!closed) {
            changed.accept(namespace, name);
        }
    }

    @Override
    public void close() {
        closed = true;
        held.values().forEach(h -> {
            if (h.watch != null) {
                h.watch.close();
            }
        });
        held.clear();
    }
}
