package com.rafaribe.homelab.hub.dashboard;

import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ClustersConfigured;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import com.rafaribe.homelab.hub.policy.Redactor;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP: health, readiness, metrics, the JSON API, its live event stream and the dashboard's static
 * files. With a token, everything but health, metrics and the login page asks for it.
 */
public final class DashboardVerticle extends AbstractVerticle {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardVerticle.class);
    /** No inline script or style, nothing from elsewhere: a value that slipped into the page as HTML could still not run. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private final String host;
    private final int port;
    private final String token;
    private final Path tokenFile;
    private final HttpLimits limits;
    private final Duration stuckAfter;
    private EventLoopWatch eventLoops;
    private final PrometheusMeterRegistry registry;
    private TokenAuth auth;
    private TokenFile tokenWatch;
    private final ReadModel model = new ReadModel();
    /** Completed, on this verticle's event loop, when the read model is first ready: when /readyz first answers 200. */
    private final Promise<Void> firstReady = Promise.promise();
    private HubMetrics metrics;
    private EventStream events;
    private HttpServer server;

    /** @param token the dashboard token, or null for an open dashboard */
    public DashboardVerticle(String host, int port, String token, PrometheusMeterRegistry registry) {
        this(host, port, token, null, registry, HttpLimits.DEFAULT);
    }

    /**
     * @param token     the dashboard token (at least {@value DashboardTokens#MIN_LENGTH} characters), or null for an open dashboard
     * @param tokenFile the file the token was read from, read again when it changes; or null
     */
    public DashboardVerticle(String host, int port, String token, Path tokenFile, PrometheusMeterRegistry registry) {
        this(host, port, token, tokenFile, registry, HttpLimits.DEFAULT);
    }

    DashboardVerticle(String host, int port, String token, Path tokenFile, PrometheusMeterRegistry registry, HttpLimits limits) {
        this(host, port, token, tokenFile, registry, limits, EventLoopWatch.DEFAULT_LIMIT);
    }

    /** @param stuckAfter an event loop that has not run its heartbeat this long makes {@code /healthz} fail */
    DashboardVerticle(String host, int port, String token, Path tokenFile, PrometheusMeterRegistry registry, HttpLimits limits,
                      Duration stuckAfter) {
        this.stuckAfter = stuckAfter;
        this.host = host;
        this.port = port;
        this.token = token == null ? null : DashboardTokens.checked(token);
        this.tokenFile = tokenFile;
        this.registry = registry;
        this.limits = limits;
    }

    @Override
    public void start(Promise<Void> started) {
        eventLoops = new EventLoopWatch(vertx, stuckAfter);
        auth = token == null ? null : new TokenAuth(token, Clock.systemUTC());
        metrics = new HubMetrics(registry, model, Instant.now());
        events = new EventStream(vertx, limits.eventStreams(), limits.eventStreamsPerClient());
        vertx.eventBus().<ReadModelUpdate>consumer(Addresses.READ_MODEL, m -> apply(m.body()));
        vertx.eventBus().<ClustersConfigured>consumer(Addresses.CLUSTERS_CONFIGURED, m -> {
            model.configured(m.body().names());
            noteReady();
        });
        vertx.eventBus().<com.rafaribe.homelab.hub.api.bus.StageTiming>consumer(Addresses.STAGE_TIMINGS, m -> metrics.stage(m.body()));
        if (auth != null && tokenFile != null) {
            tokenWatch = new TokenFile(vertx, tokenFile, limits.tokenRecheck(), auth::rotate);
        }
        server = vertx.createHttpServer(new HttpServerOptions()
                .setIdleTimeout((int) limits.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxFormAttributeSize(limits.maxBody()));
        server.requestHandler(router()).listen(port, host).onSuccess(s -> {
            if (openToNetwork()) {
                LOG.warn("dashboard and API on http://{}:{}/ without a token (--insecure-open-dashboard): open to everyone who reaches "
                        + "this address", host, s.actualPort());
            } else {
                LOG.info("dashboard and API on http://{}:{}/{}", host, s.actualPort(), auth == null ? "" : " (token required)");
            }
            started.complete();
        }).onFailure(started::fail);
    }

    @Override
    public void stop() {
        if (eventLoops != null) {
            eventLoops.close();
        }
        if (tokenWatch != null) {
            tokenWatch.close();
        }
        if (events != null) {
            events.close();
        }
    }

    /** No token, and an address other machines reach: the page says so in a banner. */
    private boolean openToNetwork() {
        return auth == null && !BindAddress.loopback(host);
    }

    private Router router() {
        Router router = Router.router(vertx);
        router.route().handler(DashboardVerticle::securityHeaders);
        router.route().handler(this::limitBody);
        // Answered on this verticle's event loop (no answer when it is blocked); 503 when another loop is.
        router.get("/healthz").handler(this::health);
        // Open to anyone who reaches the port: readiness only, never a cluster's name or error.
        router.get("/readyz").handler(ctx -> json(ctx, model.ready() ? 200 : 503, new JsonObject().put("ready", model.ready())));
        router.get("/metrics").handler(ctx -> ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape()));
        StaticHandler files = StaticHandler.create("webroot").setDefaultContentEncoding("UTF-8").setCachingEnabled(false);
        if (auth != null) {
            // No file uploads (they were written to ./file-uploads and never deleted), a form of a few bytes only.
            router.post("/login").consumes("application/x-www-form-urlencoded")
                    .handler(BodyHandler.create(false).setBodyLimit(limits.maxBody())).handler(auth::login);
            router.post("/login").handler(ctx -> ctx.response().setStatusCode(415).end());
            router.post("/logout").handler(auth::logout);
            router.routeWithRegex(HttpMethod.GET, "^/(login\\.html|login\\.js|style\\.css|favicon\\.svg)$").handler(files);
            router.route().handler(auth::guard);
        } else {
            router.get(TokenAuth.LOGIN_PAGE).handler(ctx -> ctx.redirect("/"));
        }
        router.get("/api/clusters").handler(ctx -> json(ctx, 200, array(model.clusters())));
        router.get("/api/unlocks").handler(ctx -> json(ctx, 200, array(model.unlocks())));
        router.get("/api/failures").handler(ctx -> json(ctx, 200, array(model.failures())));
        router.get("/api/monitors").handler(ctx -> json(ctx, 200, array(model.monitors())));
        router.get("/api/backups").handler(ctx -> json(ctx, 200, array(BackupFilter.of(ctx.queryParams()).apply(model.backups()))));
        router.get("/api/events").handler(ctx -> events.open(ctx, snapshot()));
        router.get("/api/session").handler(ctx -> json(ctx, 200, new JsonObject().put("tokenRequired", auth != null)
                .put("openToNetwork", openToNetwork())));
        router.route("/*").handler(files);
        return router;
    }

    private void health(RoutingContext ctx) {
        int stuck = eventLoops.stuck();
        if (stuck == 0) {
            json(ctx, 200, new JsonObject().put("status", "ok"));
        } else {
            LOG.error("{} event loop(s) blocked for more than {} s: /healthz fails so that the hub is restarted", stuck,
                    stuckAfter.toSeconds());
            json(ctx, 503, new JsonObject().put("status", "event loop blocked").put("blockedEventLoops", stuck));
        }
    }

    /** The context this verticle's handlers, {@code /healthz}'s among them, run on. */
    io.vertx.core.Context eventLoopContext() {
        return context;
    }

    /** Only the login form reads a body; any other request that announces one larger than the limit is refused whole. */
    private void limitBody(RoutingContext ctx) {
        String length = ctx.request().getHeader("content-length");
        boolean chunked = ctx.request().headers().contains("transfer-encoding", "chunked", true);
        long declared;
        try {
            declared = length == null ? 0 : Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            declared = Long.MAX_VALUE;
        }
        boolean login = ctx.request().method() == HttpMethod.POST && "/login".equals(ctx.normalizedPath());
        if (declared > limits.maxBody() || (chunked && !login)) {
            // The body is not read: on HTTP/1 the connection goes once the answer is out, on HTTP/2 only the stream.
            boolean http1 = ctx.request().version() != HttpVersion.HTTP_2;
            if (http1) {
                ctx.response().putHeader("connection", "close");
            }
            ctx.response().setStatusCode(413).end().onComplete(v -> {
                if (http1) {
                    ctx.request().connection().close();
                }
            });
        } else {
            ctx.next();
        }
    }

    private void apply(ReadModelUpdate update) {
        metrics.record(update, model.previous(update));
        model.apply(update);
        events.publish(eventType(update), () -> object((Record) update));
        noteReady();
    }

    private void noteReady() {
        if (!firstReady.future().isComplete() && model.ready()) {
            firstReady.complete();
        }
    }

    /** Completes when the hub is first ready: every cluster the kubeconfigs name has synced or failed. */
    public Future<Void> firstReady() {
        return firstReady.future();
    }

    private JsonObject snapshot() {
        return new JsonObject().put("clusters", array(model.clusters())).put("unlocks", array(model.unlocks()))
                .put("failures", array(model.failures())).put("monitors", array(model.monitors())).put("backups", array(model.backups()));
    }

    static String eventType(ReadModelUpdate update) {
        if (update instanceof ReadModelUpdate.ClusterView) {
            return "cluster";
        } else if (update instanceof ReadModelUpdate.UnlockView) {
            return "unlock";
        } else if (update instanceof ReadModelUpdate.FailureView) {
            return "failure";
        } else if (update instanceof ReadModelUpdate.MonitorView) {
            return "monitor";
        } else if (update instanceof ReadModelUpdate.ClusterGone) {
            return "cluster-gone";
        } else if (update instanceof ReadModelUpdate.BackupView) {
            return "backup";
        } else if (update instanceof ReadModelUpdate.BackupGone) {
            return "backup-gone";
        }
        return "monitor-gone";
    }

    public int actualPort() {
        return server.actualPort();
    }

    private static void securityHeaders(RoutingContext ctx) {
        ctx.response().putHeader("content-security-policy", CONTENT_SECURITY_POLICY)
                .putHeader("x-content-type-options", "nosniff")
                .putHeader("referrer-policy", "no-referrer")
                .putHeader("x-frame-options", "DENY");
        ctx.next();
    }

    private static void json(RoutingContext ctx, int status, Object body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
                .putHeader("cache-control", "no-store").end(body.toString());
    }

    /**
     * Read-model records become JSON objects field by field. Every answer of /api/* and every frame
     * of the event stream is made here, so each string is redacted here, once.
     */
    static JsonArray array(List<? extends Record> records) {
        JsonArray array = new JsonArray();
        records.forEach(r -> array.add(object(r)));
        return array;
    }

    static JsonObject object(Record record) {
        JsonObject o = new JsonObject();
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            try {
                Object value = c.getAccessor().invoke(record);
                o.put(c.getName(), value instanceof Instant i ? i.toString() : value instanceof String text ? Redactor.redact(text) : value);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return o;
    }
}
