package com.rafaribe.homelab.hub.cluster;

import com.rafaribe.homelab.hub.api.bus.ClusterCommand;
import com.rafaribe.homelab.hub.policy.Redactor;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * core/v1 Events of one cluster, written as client-go's recorder writes them: the same reason and
 * message about the same object again (VolSync retries a locked mover up to 8 times) bumps the
 * count of the Event already there instead of adding another. Blocking: runs on the worker pool.
 */
final class EventRecorder {
    /** metav1.MicroTime: exactly six fraction digits; a real API server refuses an Instant's nanoseconds. */
    static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(java.time.ZoneOffset.UTC);
    /** The API server removes Events an hour after their last write (--event-ttl): an older one is written anew. */
    private static final Duration REUSE = Duration.ofMinutes(50);
    private static final int REMEMBERED = 512;

    private final KubernetesClient client;
    private final Clock clock;
    private final Map<String, Recorded> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Recorded> eldest) {
            return size() > REMEMBERED;
        }
    };

    private record Recorded(String name, int count, Instant last) {
    }

    EventRecorder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** Serialised: two equal Events at once must not both be created. */
    synchronized void record(ClusterCommand.RecordEvent c) {
        String namespace = c.involved().getNamespace();
        String message = Redactor.redact(c.message(), 1024);
        String key = c.involved().getKind() + "/" + namespace + "/" + c.involved().getName() + "/" + c.involved().getUid() + "/"
                + c.type() + "/" + c.reason() + "/" + message;
        Instant now = clock.instant();
        Recorded previous = recent.get(key);
        if (previous != null && previous.last().isAfter(now.minus(REUSE)) && bump(namespace, previous, now)) {
            recent.put(key, new Recorded(previous.name(), previous.count() + 1, now));
            return;
        }
        String name = c.involved().getName() + "." + UUID.randomUUID().toString().substring(0, 13).replace("-", "");
        Event event = event(name, namespace, c.involved(), c.type(), c.reason(), message, now);
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
        } catch (KubernetesClientException e) {
            // The name is this recorder's own random one: AlreadyExists is the client resending a create whose first
            // answer was lost (a dropped connection), and the first attempt stored it.
            if (e.getCode() != 409) {
                throw e;
            }
        }
        recent.put(key, new Recorded(name, 1, now));
    }

    /** A new core/v1 Event, as client-go's recorder fills one in. */
    static Event event(String name, String namespace, ObjectReference involved, String type, String reason, String message, Instant now) {
        String seconds = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
        return new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withInvolvedObject(involved)
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .withCount(1)
                .withFirstTimestamp(seconds)
                .withLastTimestamp(seconds)
                .withEventTime(new MicroTime(MICRO_TIME.format(now)))
                .withAction(reason)
                .withReportingComponent("volsync-monitor-hub")
                .withReportingInstance("volsync-monitor-hub")
                .withNewSource().withComponent("volsync-monitor-hub").endSource()
                .build();
    }

    /** False when the Event is gone (expired, or deleted by someone): then a new one is made. */
    private boolean bump(String namespace, Recorded previous, Instant now) {
        String patch = "{\"count\":%d,\"lastTimestamp\":\"%s\"}".formatted(previous.count() + 1,
                DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS)));
        try {
            // Through an item: by name alone fabric8 reads the Event first, which the hub may not.
            client.v1().events().inNamespace(namespace).resource(new EventBuilder().withNewMetadata().withName(previous.name())
                    .withNamespace(namespace).endMetadata().build()).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
