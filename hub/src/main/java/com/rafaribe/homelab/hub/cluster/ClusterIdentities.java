package com.rafaribe.homelab.hub.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One cluster, one watcher. Each cluster entry of the hub (a kubeconfig context, or in-cluster) says
 * which cluster it reached: the UID of that cluster's {@code kube-system} namespace, read once on
 * connect. Of the entries that reach one cluster exactly one watches; the others are duplicates of it.
 *
 * <p>Which entry watches is decided by rank, never by timing, so that it is the same after every
 * restart and a cluster's unlocks, failures and metrics stay under one name: in-cluster first (the
 * pod's own ServiceAccount, rotated by the kubelet, needs no address from outside and never
 * expires as a minted kubeconfig token does), then the kubeconfig contexts by name. An entry waits
 * for a better-ranked one still on its first connection attempt (it may be the same cluster), and
 * a handover waits until the entry that watched has stopped: two entries never watch one cluster at
 * the same time.
 *
 * <p>Where the UID cannot be read (403, or no kube-system namespace), the server URL and CA of the
 * context stand in for it: contexts with the same server and CA are one cluster.
 *
 * <p>Pure bookkeeping, no I/O, safe from any thread. An entry's listener is told to look again when
 * its decision changes; it then asks {@link #decision}.
 */
public final class ClusterIdentities {

    /** What an entry does. {@code other}: the entry it waits for or duplicates; {@code why}: one line for the API. */
    public record Decision(Kind kind, String other, String why) {
        public enum Kind { WATCH, WAIT, DUPLICATE }

        static final Decision WATCH = new Decision(Kind.WATCH, null, null);
    }

    private static final class Entry {
        final String name;
        boolean inCluster;
        /** Server URL and CA, where known: stands in for the UID when that cannot be read. */
        String serverKey;
        /** The first connection attempt of its verticle has not ended: it may yet turn out to be any cluster. */
        boolean firstAttempt;
        /** Its identity was read (uid may still be null: refused or missing). */
        boolean identified;
        String uid;
        /** Its informers run, or are allowed to start. */
        boolean watching;
        Runnable listener;
        Decision last;

        Entry(String name) {
            this.name = name;
        }
    }

    private static final Comparator<Entry> RANK = Comparator.<Entry, Boolean>comparing(e -> !e.inCluster)
            .thenComparing(e -> e.name);

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /**
     * The supervisor is about to start this entry's verticle (after stopping the old one, if it restarts).
     * A restarted entry keeps the identity it had until it reads it again, so its duplicates stay duplicates.
     */
    public void starting(String name, boolean inCluster, String serverKey) {
        List<Runnable> tell;
        synchronized (this) {
            Entry e = entries.computeIfAbsent(name, Entry::new);
            e.inCluster = inCluster;
            e.serverKey = serverKey;
            e.firstAttempt = true;
            tell = recompute();
        }
        tell.forEach(Runnable::run);
    }

    /** The verticle of this entry; replaces the listener of an earlier one. */
    public synchronized void listen(String name, Runnable onChange) {
        entries.computeIfAbsent(name, Entry::new).listener = onChange;
    }

    public synchronized void unlisten(String name, Runnable onChange) {
        Entry e = entries.get(name);
        if (e != null && e.listener == onChange) {
            e.listener = null;
        }
    }

    /** The identity was read: {@code uid} null when it cannot be known. Returns what the entry is to do now. */
    public Decision identified(String name, String uid) {
        List<Runnable> tell;
        Decision decision;
        synchronized (this) {
            Entry e = entries.computeIfAbsent(name, Entry::new);
            e.firstAttempt = false;
            e.identified = true;
            e.uid = uid;
            tell = recompute();
            decision = e.last;
        }
        tell.forEach(Runnable::run);
        return decision;
    }

    /** The entry could not connect: it claims no cluster until it reads an identity again. */
    public void unreachable(String name) {
        List<Runnable> tell;
        synchronized (this) {
            Entry e = entries.get(name);
            if (e == null) {
                return;
            }
            e.firstAttempt = false;
            e.identified = false;
            e.uid = null;
            e.watching = false;
            tell = recompute();
        }
        tell.forEach(Runnable::run);
    }

    /** Its informers are closed: an entry waiting to take over may start. The entry keeps its claim. */
    public void stoppedWatching(String name) {
        List<Runnable> tell;
        synchronized (this) {
            Entry e = entries.get(name);
            if (e == null || !e.watching) {
                return;
            }
            e.watching = false;
            tell = recompute();
        }
        tell.forEach(Runnable::run);
    }

    /** The entry left the kubeconfigs (its verticle is stopped): a duplicate of it takes over. */
    public void gone(String name) {
        List<Runnable> tell;
        synchronized (this) {
            if (entries.remove(name) == null) {
                return;
            }
            tell = recompute();
        }
        tell.forEach(Runnable::run);
    }

    /** What the entry is to do now; null while its identity is not known. */
    public synchronized Decision decision(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.last;
    }

    /**
     * Every identified entry's decision, best-ranked first (so a handover is granted in one pass);
     * an entry told to watch counts as watching from then on. Returns the listeners to tell.
     */
    private List<Runnable> recompute() {
        List<Entry> ranked = entries.values().stream().sorted(RANK).toList();
        List<Runnable> tell = new ArrayList<>();
        for (Entry e : ranked) {
            Decision d = e.identified ? decide(e, ranked) : null;
            if (d != null && d.kind() == Decision.Kind.WATCH) {
                e.watching = true;
            }
            if (!Objects.equals(d, e.last)) {
                e.last = d;
                if (e.listener != null) {
                    tell.add(e.listener);
                }
            }
        }
        return tell;
    }

    private static Decision decide(Entry e, List<Entry> ranked) {
        for (Entry o : ranked) {
            if (o == e) {
                break;
            }
            if (o.identified && same(o, e)) {
                return new Decision(Decision.Kind.DUPLICATE, o.name, "same cluster (" + evidence(o, e) + ") as " + o.name
                        + "; watched there (" + preference(o) + ")");
            }
        }
        for (Entry o : ranked) {
            if (o == e) {
                break;
            }
            if (o.firstAttempt && !o.identified) {
                return new Decision(Decision.Kind.WAIT, o.name, "waiting for " + o.name + " to connect first: it may be the same cluster");
            }
        }
        for (Entry o : ranked) {
            if (o != e && o.identified && o.watching && same(o, e)) {
                return new Decision(Decision.Kind.WAIT, o.name, "waiting for " + o.name + " to stop watching this cluster ("
                        + evidence(o, e) + "), which it hands over to " + e.name);
            }
        }
        return Decision.WATCH;
    }

    /** By UID when both are known; else by server and CA. */
    private static boolean same(Entry a, Entry b) {
        if (a.uid != null && b.uid != null) {
            return a.uid.equals(b.uid);
        }
        return a.serverKey != null && a.serverKey.equals(b.serverKey);
    }

    private static String evidence(Entry a, Entry b) {
        return a.uid != null && b.uid != null ? "kube-system UID " + a.uid : "same server and CA, kube-system UID unknown";
    }

    private static String preference(Entry winner) {
        return winner.inCluster ? "in-cluster is preferred to a kubeconfig context"
                : "of the contexts that reach one cluster, the name sorted first watches";
    }
}
