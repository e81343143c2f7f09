package com.rafaribe.homelab.hub.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The browser's sessions after a login. A cookie is {@code <issued>.<id>.<mac>}: a random id, the
 * time it was issued and a MAC under a key drawn at random when the process starts, so a cookie
 * says nothing of the token and dies with the process. The hub also remembers the ids it issued:
 * logging out, or a new token, ends a session on the server, not only in that browser.
 * One event loop calls it; the time is passed in.
 */
final class Sessions {
    static final Duration LIFETIME = Duration.ofHours(12);
    /** A bound on what logins can make the hub remember; the oldest session goes first. */
    static final int MAX_SESSIONS = 1_000;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final byte[] key = new byte[32];
    /** Live session ids and when each was issued, oldest first. */
    private final Map<String, Long> live = new LinkedHashMap<>();

    Sessions() {
        RANDOM.nextBytes(key);
    }

    /** A new session, as the cookie's value. */
    String issue(long nowMillis) {
        live.values().removeIf(issued -> expired(issued, nowMillis));
        Iterator<String> oldest = live.keySet().iterator();
        while (live.size() >= MAX_SESSIONS && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
        byte[] id = new byte[18];
        RANDOM.nextBytes(id);
        String signed = nowMillis + "." + B64.encodeToString(id);
        live.put(B64.encodeToString(id), nowMillis);
        return signed + "." + mac(signed);
    }

    boolean valid(String cookie, long nowMillis) {
        String id = id(cookie);
        if (id == null) {
            return false;
        }
        Long issued = live.get(id);
        if (issued == null || expired(issued, nowMillis)) {
            live.remove(id);
            return false;
        }
        return true;
    }

    /** Logout: the session's id is forgotten, so the cookie no longer works anywhere. */
    void end(String cookie) {
        String id = id(cookie);
        if (id != null) {
            live.remove(id);
        }
    }

    /** A new token: every session of the old one ends. */
    void endAll() {
        live.clear();
    }

    int live() {
        return live.size();
    }

    /** The id of a cookie whose MAC is right, else null. */
    private String id(String cookie) {
        if (cookie == null) {
            return null;
        }
        int last = cookie.lastIndexOf('.');
        int first = cookie.indexOf('.');
        if (first <= 0 || last <= first) {
            return null;
        }
        String signed = cookie.substring(0, last);
        byte[] expected = mac(signed).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, cookie.substring(last + 1).getBytes(StandardCharsets.US_ASCII))) {
            return null;
        }
        return cookie.substring(first + 1, last);
    }

    private static boolean expired(long issued, long nowMillis) {
        return nowMillis - issued >= LIFETIME.toMillis() || issued > nowMillis + Duration.ofMinutes(5).toMillis();
    }

    private String mac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return B64.encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
