package com.rafaribe.homelab.hub.bench;

import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every request one mock cluster received, as it arrived: the hub's (by its token) counted by verb
 * and path without names, watches left out; the moments a pod's status was written and an unlock
 * Job's create arrived, which the latency is measured between.
 */
final class RequestLog {
    private static final Pattern POD_STATUS = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/?]+)/status");
    private static final Pattern JOB_CREATE = Pattern.compile("^/apis/batch/v1/namespaces/([^/]+)/jobs/?(\\?.*)?$");
    /** Collections whose next path segment is an object's name. */
    private static final Set<String> NAMED = Set.of("namespaces", "pods", "jobs", "events", "volsyncmonitors", "replicationsources",
            "nodes", "secrets", "serviceaccounts", "configmaps", "leases");

    record Hit(long nanos, String key) {
    }

    private final String hubAuthorization;
    private final ConcurrentLinkedQueue<Hit> hubRequests = new ConcurrentLinkedQueue<>();
    /** "namespace/pod" to when its status write arrived. */
    final Map<String, Long> statusWrites = new ConcurrentHashMap<>();
    /** namespace to when the hub's first Job create there arrived. */
    final Map<String, Long> jobCreates = new ConcurrentHashMap<>();

    RequestLog(String hubToken) {
        this.hubAuthorization = "Bearer " + hubToken;
    }

    void record(RecordedRequest r) {
        long now = System.nanoTime();
        String path = r.getPath();
        String method = r.getMethod();
        Matcher status = POD_STATUS.matcher(path);
        if (status.find() && !"GET".equals(method)) {
            statusWrites.putIfAbsent(status.group(1) + "/" + status.group(2), now);
        }
        if (!hubAuthorization.equals(r.getHeader("Authorization")) || path.contains("watch=true") || r.getHeader("Upgrade") != null) {
            return;
        }
        Matcher job = JOB_CREATE.matcher(path);
        if ("POST".equals(method) && job.matches()) {
            jobCreates.putIfAbsent(job.group(1), now);
        }
        hubRequests.add(new Hit(now, method + " " + withoutNames(path)));
    }

    /** The hub's requests that arrived in [from, to), by verb and path. */
    Map<String, Long> between(long from, long to) {
        Map<String, Long> counts = new TreeMap<>();
        for (Hit h : hubRequests) {
            if (h.nanos() >= from && h.nanos() < to) {
                counts.merge(h.key(), 1L, Long::sum);
            }
        }
        return counts;
    }

    /** /api/v1/namespaces/media/pods/x/log?tailLines=50 is /api/v1/namespaces/{name}/pods/{name}/log. */
    static String withoutNames(String path) {
        int query = path.indexOf('?');
        String[] parts = (query < 0 ? path : path.substring(0, query)).split("/");
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < parts.length; i++) {
            b.append('/').append(NAMED.contains(parts[i - 1]) ? "{name}" : parts[i]);
        }
        return b.length() == 0 ? "/" : b.toString();
    }
}
