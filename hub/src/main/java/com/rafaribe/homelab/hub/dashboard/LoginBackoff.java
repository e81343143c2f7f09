package com.rafaribe.homelab.hub.dashboard;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed logins and Bearer tokens, per client address: after {@link #FREE_FAILURES} failures within
 * {@link #WINDOW}, that address is answered 429 for {@link #FIRST_BLOCK}, and each further block of it
 * lasts twice as long, up to {@link #MAX_BLOCK}. A guesser gets a handful of tries a minute instead of
 * thousands a second. Pure: the time is passed in; one event loop calls it.
 */
final class LoginBackoff {
    static final int FREE_FAILURES = 5;
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final Duration FIRST_BLOCK = Duration.ofSeconds(30);
    static final Duration MAX_BLOCK = Duration.ofHours(1);
    /** An address quiet this long starts again at the first block. */
    static final Duration FORGET = Duration.ofHours(2);
    /** A bound on what a scan from many addresses can make the hub remember. */
    static final int MAX_ADDRESSES = 10_000;

    private static final class Client {
        long windowStart;
        int failures;
        long blockedUntil;
        long lastBlock;
        long lastSeen;
    }

    private final Map<String, Client> clients = new LinkedHashMap<>();

    /** @return 0 when the address may try, else the seconds it must wait */
    long retryAfterSeconds(String address, long nowMillis) {
        Client c = clients.get(address);
        if (c == null || c.blockedUntil <= nowMillis) {
            return 0;
        }
        return (c.blockedUntil - nowMillis + 999) / 1000;
    }

    /**
     * Counts a failure.
     *
     * @return the failures of the address within the window, this one included
     */
    int failed(String address, long nowMillis) {
        Client c = clients.get(address);
        if (c != null && nowMillis - c.lastSeen > FORGET.toMillis() && c.blockedUntil <= nowMillis) {
            clients.remove(address);
            c = null;
        }
        if (c == null) {
            makeRoom(nowMillis);
            c = new Client();
            c.windowStart = nowMillis;
            clients.put(address, c);
        }
        if (nowMillis - c.windowStart > WINDOW.toMillis()) {
            c.windowStart = nowMillis;
            c.failures = 0;
        }
        c.failures++;
        c.lastSeen = nowMillis;
        if (c.failures >= FREE_FAILURES) {
            c.lastBlock = c.lastBlock == 0 ? FIRST_BLOCK.toMillis() : Math.min(c.lastBlock * 2, MAX_BLOCK.toMillis());
            c.blockedUntil = nowMillis + c.lastBlock;
            c.windowStart = c.blockedUntil;
            int failures = c.failures;
            c.failures = 0;
            return failures;
        }
        return c.failures;
    }

    /** The right token: the address's failures are forgotten, but not a block it earned. */
    void succeeded(String address, long nowMillis) {
        Client c = clients.get(address);
        if (c != null && c.blockedUntil <= nowMillis) {
            c.failures = 0;
        }
    }

    int addresses() {
        return clients.size();
    }

    private void makeRoom(long nowMillis) {
        if (clients.size() < MAX_ADDRESSES) {
            return;
        }
        clients.values().removeIf(c -> c.blockedUntil <= nowMillis && nowMillis - c.lastSeen > WINDOW.toMillis());
        Iterator<Client> oldest = clients.values().iterator();
        while (clients.size() >= MAX_ADDRESSES && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }
}
