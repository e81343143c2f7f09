package com.rafaribe.homelab.hub.dashboard;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The dashboard's optional token. Scripts send it as {@code Authorization: Bearer}; the browser
 * logs in once and then sends a cookie, because an EventSource cannot set headers. The cookie
 * holds a MAC derived from the token, not the token itself, and is HttpOnly and SameSite=Strict.
 */
final class TokenAuth {
    static final String COOKIE = "hub_session";
    static final String LOGIN_PAGE = "/login.html";

    private final byte[] token;
    private final String session;

    TokenAuth(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.session = mac(token, "volsync-monitor-hub dashboard session");
    }

    /** Lets an authenticated request through; otherwise 401 for the API, a redirect to the login page for pages. */
    void guard(RoutingContext ctx) {
        if (authenticated(ctx)) {
            ctx.next();
        } else if (ctx.normalizedPath().startsWith("/api/")) {
            ctx.response().setStatusCode(401).putHeader("www-authenticate", "Bearer realm=\"volsync-monitor-hub\"")
                    .putHeader("content-type", "application/json").end(new JsonObject().put("error", "unauthorized").encode());
        } else {
            ctx.redirect(LOGIN_PAGE);
        }
    }

    /** The login form: the right token sets the session cookie, a wrong one goes back with a note. */
    void login(RoutingContext ctx) {
        String offered = ctx.request().getFormAttribute("token");
        if (offered != null && matches(offered.strip().getBytes(StandardCharsets.UTF_8))) {
            ctx.response().addCookie(Cookie.cookie(COOKIE, session).setPath("/").setHttpOnly(true)
                    .setSameSite(CookieSameSite.STRICT).setSecure(secure(ctx)));
            ctx.response().setStatusCode(303).putHeader("location", "/").end();
        } else {
            ctx.response().setStatusCode(303).putHeader("location", LOGIN_PAGE + "?failed").end();
        }
    }

    void logout(RoutingContext ctx) {
        ctx.response().addCookie(Cookie.cookie(COOKIE, "").setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
                .setMaxAge(0));
        ctx.response().setStatusCode(303).putHeader("location", LOGIN_PAGE).end();
    }

    boolean authenticated(RoutingContext ctx) {
        String header = ctx.request().getHeader("authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return matches(header.substring(7).strip().getBytes(StandardCharsets.UTF_8));
        }
        Cookie cookie = ctx.request().getCookie(COOKIE);
        return cookie != null && MessageDigest.isEqual(cookie.getValue().getBytes(StandardCharsets.UTF_8),
                session.getBytes(StandardCharsets.UTF_8));
    }

    private boolean matches(byte[] offered) {
        return MessageDigest.isEqual(offered, token);
    }

    /** Behind a TLS-terminating Ingress the request arrives as plain HTTP; the cookie is still for HTTPS only. */
    private static boolean secure(RoutingContext ctx) {
        return ctx.request().isSSL() || "https".equalsIgnoreCase(ctx.request().getHeader("x-forwarded-proto"));
    }

    private static String mac(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
