package com.rafaribe.homelab.hub.sandbox;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The requests one client (one Authorization header) made of a sandbox API server while a test
 * counts them: what the client asked, not what its transport sent. fabric8's transport sends a
 * request again on its own in two cases: after a 5xx answer, and after an IOException (a connection
 * closed under load before the answer arrived, or an answer that never came within the request
 * timeout) although the server may have stored the first. The first is seen in the answer's code;
 * the second as a create of a name the server stored shortly before, answered 409. The server
 * cannot tell that from the client asking again for the same name within the window (the hub
 * retries a refused create after 10 s): a test compares with the client's own count of what it
 * asked (the hub's job_create stage). Each resend is listed, and every answer, for a count that is off.
 */
final class RequestRecording {
    /** Beyond the hub's request timeout (15 s) and fabric8's first backoff (100 ms): the latest a resend comes. */
    static final long RESEND_WINDOW_MILLIS = 20_000;

    final String authorization;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> answers = new CopyOnWriteArrayList<>();
    final List<String> resends = new CopyOnWriteArrayList<>();
    /** "path name" of each create the server stored, with when it answered. */
    private final Map<String, Long> stored = new ConcurrentHashMap<>();

    RequestRecording(String authorization) {
        this.authorization = authorization;
    }

    /** Records one answered request; {@code created} is the name a POST asked for, or null. */
    void answered(String method, String path, String created, int code, long nowMillis) {
        answers.add(method + " " + path + (created == null ? "" : " " + created) + " -> " + code + " at " + nowMillis);
        if (code >= 500) {
            return;
        }
        if (created != null) {
            String key = path + " " + created;
            if (code / 100 == 2) {
                stored.put(key, nowMillis);
            } else if (code == 409) {
                Long storedAt = stored.get(key);
                if (storedAt != null && nowMillis - storedAt <= RESEND_WINDOW_MILLIS) {
                    resends.add(method + " " + path + " " + created + " (stored " + (nowMillis - storedAt) + " ms before)");
                    return;
                }
            }
        }
        requests.add(method + " " + path);
    }
}
