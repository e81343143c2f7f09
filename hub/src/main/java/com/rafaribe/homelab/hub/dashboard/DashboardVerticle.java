package com.rafaribe.homelab.hub.dashboard;

import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** HTTP: health, readiness, the JSON API and the dashboard's static files. */
public final class DashboardVerticle extends AbstractVerticle {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardVerticle.class);

    private final String host;
    private final int port;
    private final ReadModel model = new ReadModel();
    private HttpServer server;

    public DashboardVerticle(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public void start(Promise<Void> started) {
        vertx.eventBus().<ReadModelUpdate>consumer(Addresses.READ_MODEL, m -> model.apply(m.body()));
        Router router = Router.router(vertx);
        router.get("/healthz").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "ok")));
        router.get("/readyz").handler(ctx -> json(ctx, model.ready() ? 200 : 503,
                new JsonObject().put("ready", model.ready()).put("clusters", array(model.clusters()))));
        router.get("/api/clusters").handler(ctx -> json(ctx, 200, array(model.clusters())));
        router.get("/api/unlocks").handler(ctx -> json(ctx, 200, array(model.unlocks())));
        router.get("/api/failures").handler(ctx -> json(ctx, 200, array(model.failures())));
        router.get("/api/monitors").handler(ctx -> json(ctx, 200, array(model.monitors())));
        router.route("/*").handler(StaticHandler.create("webroot"));
        server = vertx.createHttpServer();
        server.requestHandler(router).listen(port, host).onSuccess(s -> {
            LOG.info("dashboard and API on http://{}:{}/", host, s.actualPort());
            started.complete();
        }).onFailure(started::fail);
    }

    public int actualPort() {
        return server.actualPort();
    }

    private static void json(RoutingContext ctx, int status, Object body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
                .putHeader("cache-control", "no-store").end(body.toString());
    }

    /** Read-model records become JSON objects field by field; they hold values only, never credentials. */
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
                o.put(c.getName(), value instanceof Instant i ? i.toString() : value);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return o;
    }
}
