package com.rafaribe.homelab.hub.dashboard;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's token. Scripts send it as {@code Authorization: Bearer}; the browser logs in once
 * and then sends a session cookie ({@link Sessions}), because an EventSource cannot set headers.
 * Wrong tokens are counted per client address and answered 429 after a few ({@link LoginBackoff}).
 * The token can be replaced while the hub runs ({@link #rotate}). One event loop calls it.
 */
final class TokenAuth {
    private static final Logger LOG = LoggerFactory.getLogger(TokenAuth.class);
    static final String COOKIE = "hub_session";
    static final String LOGIN_PAGE = "/login.html";

    private final Clock clock;
    private final Sessions sessions = new Sessions();
    private final LoginBackoff backoff = new LoginBackoff();
    private byte[] token;

    TokenAuth(String token, Clock clock) {
        this.clock = clock;
        this.token = DashboardTokens.checked(token).getBytes(StandardCharsets.UTF_8);
    }

    /** A new token from the token file: every session of the old one ends. */
    void rotate(String newToken) {
        byte[] next = DashboardTokens.checked(newToken).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(next, token)) {
            token = next;
            sessions.endAll();
            LOG.info("dashboard: the token file holds a new token; sessions of the old one ended");
        }
    }

    /** Lets an authenticated request through; otherwise 401 for the API, a redirect to the login page for pages. */
    void guard(RoutingContext ctx) {
        Cookie cookie = ctx.request().getCookie(COOKIE);
        if (cookie != null && sessions.valid(cookie.getValue(), clock.millis())) {
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader("authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            if (checkToken(ctx, header.substring(7), "Bearer token")) {
                ctx.next();
            } else if (!ctx.response().ended()) {
                unauthorized(ctx);
            }
        } else if (ctx.normalizedPath().startsWith("/api/")) {
            unauthorized(ctx);
        } else {
            ctx.redirect(LOGIN_PAGE);
        }
    }

    /** The login form: the right token sets the session cookie, a wrong one goes back with a note. */
    void login(RoutingContext ctx) {
        String offered = ctx.request().getFormAttribute("token");
        if (checkToken(ctx, offered == null ? "" : offered, "login")) {
            ctx.response().addCookie(Cookie.cookie(COOKIE, sessions.issue(clock.millis())).setPath("/").setHttpOnly(true)
                    .setSameSite(CookieSameSite.STRICT).setSecure(secure(ctx)).setMaxAge(Sessions.LIFETIME.toSeconds()));
            ctx.response().setStatusCode(303).putHeader("location", "/").end();
        } else if (!ctx.response().ended()) {
            ctx.response().setStatusCode(303).putHeader("location", LOGIN_PAGE + "?failed").end();
        }
    }

    /** Ends the session on the server too: a copy of the cookie no longer works. */
    void logout(RoutingContext ctx) {
        Cookie cookie = ctx.request().getCookie(COOKIE);
        if (cookie != null) {
            sessions.end(cookie.getValue());
        }
        ctx.response().addCookie(Cookie.cookie(COOKIE, "").setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
                .setSecure(secure(ctx)).setMaxAge(0));
        ctx.response().setStatusCode(303).putHeader("location", LOGIN_PAGE).end();
    }

    /**
     * Compares in constant time, unless the client is in back-off: then it is answered 429 and the
     * token is not even looked at. A failure is logged with the client's address, never the token.
     */
    private boolean checkToken(RoutingContext ctx, String offered, String what) {
        String address = address(ctx);
        long now = clock.millis();
        long wait = backoff.retryAfterSeconds(address, now);
        if (wait > 0) {
            tooMany(ctx, wait);
            return false;
        }
        if (MessageDigest.isEqual(offered.strip().getBytes(StandardCharsets.UTF_8), token)) {
            backoff.succeeded(address, now);
            return true;
        }
        int failures = backoff.failed(address, now);
        wait = backoff.retryAfterSeconds(address, now);
        if (wait > 0) {
            LOG.warn("dashboard: wrong {} from {}, {} in a row; it waits {} s", what, address, failures, wait);
            tooMany(ctx, wait);
        } else {
            LOG.warn("dashboard: wrong {} from {} ({} within {} s)", what, address, failures, LoginBackoff.WINDOW.toSeconds());
        }
        return false;
    }

    private static void tooMany(RoutingContext ctx, long seconds) {
        ctx.response().setStatusCode(429).putHeader("retry-after", Long.toString(seconds)).putHeader("content-type", "application/json")
                .end(new JsonObject().put("error", "too many wrong tokens from this address; try again in " + seconds + " s").encode());
    }

    private static void unauthorized(RoutingContext ctx) {
        ctx.response().setStatusCode(401).putHeader("www-authenticate", "Bearer realm=\"volsync-monitor-hub\"")
                .putHeader("content-type", "application/json").end(new JsonObject().put("error", "unauthorized").encode());
    }

    /** The TCP peer: behind an Ingress that is the ingress controller, which X-Forwarded-For could not be trusted to replace. */
    static String address(RoutingContext ctx) {
        return ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
    }

    /** Behind a TLS-terminating Ingress the request arrives as plain HTTP; the cookie is still for HTTPS only. */
    private static boolean secure(RoutingContext ctx) {
        return ctx.request().isSSL() || "https".equalsIgnoreCase(ctx.request().getHeader("x-forwarded-proto"));
    }
}
