package com.rafaribe.homelab.hub.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Collections;
import java.util.Map;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * A Jackson module for the hub's clients that makes the objects they read smaller, since the informer
 * caches are most of the hub's heap and a full heap is what delays a failure (every young collection
 * turns into a full one when the old generation cannot take what survives):
 * <ul>
 * <li>string values go through one {@link StringTable}, so the namespaces, label values, images, env
 * names and Secret keys that every mover repeats are one string each instead of one per object;</li>
 * <li>a fabric8 model object with no unknown fields gets one shared empty map for them instead of an
 * empty {@code LinkedHashMap} of its own (most of a pod's hundred-odd model objects).</li>
 * </ul>
 * Nothing read changes: the same values, equal objects. A shared map cannot take a property, so it is
 * given only after an object is read, and never to a {@link GenericKubernetesResource}, whose fields
 * are all "additional" and which the hub edits in place.
 */
public final class CompactModels extends SimpleModule {
    private static final Map<String, Object> NO_ADDITIONAL_PROPERTIES = Collections.emptyMap();

    public CompactModels() {
        this(new StringTable(1 << 16));
    }

    CompactModels(StringTable strings) {
        super("volsync-hub-compact-models");
        addDeserializer(String.class, new DedupStrings(strings));
        setDeserializerModifier(new ValueDeserializerModifier() {
            @Override
            public ValueDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription.Supplier description,
                    ValueDeserializer<?> deserializer) {
                Class<?> type = description.getBeanClass();
                UnknownFields access = unknownFields(type);
                return access == null ? deserializer : new SharedEmptyProperties(deserializer, access);
            }
        });
    }

    /** A fabric8 model class's accessors of its unknown fields ("additionalProperties"). */
    record UnknownFields(MethodHandle getter, MethodHandle setter) {
    }

    /** The accessors of a fabric8 model class's unknown fields; null for any other class. */
    static UnknownFields unknownFields(Class<?> type) {
        if (!KubernetesResource.class.isAssignableFrom(type) || GenericKubernetesResource.class.isAssignableFrom(type)
                || !type.getName().startsWith("io.fabric8.kubernetes.api.model.")) {
            return null;
        }
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            return new UnknownFields(lookup.findVirtual(type, "getAdditionalProperties", MethodType.methodType(Map.class)),
                    lookup.findVirtual(type, "setAdditionalProperties", MethodType.methodType(void.class, Map.class)));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    /** Jackson's own string deserializer, its result deduplicated. */
    private static final class DedupStrings extends StringDeserializer {
        private final StringTable strings;

        DedupStrings(StringTable strings) {
            this.strings = strings;
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) {
            return strings.dedup(super.deserialize(p, ctxt));
        }
    }

    /** A model class's own deserializer; what it made gets the shared empty map when it has no unknown fields. */
    private static final class SharedEmptyProperties extends DelegatingDeserializer {
        private final UnknownFields access;

        SharedEmptyProperties(ValueDeserializer<?> delegate, UnknownFields access) {
            super(delegate);
            this.access = access;
        }

        @Override
        protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> newDelegatee) {
            return new SharedEmptyProperties(newDelegatee, access);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) {
            return share(super.deserialize(p, ctxt));
        }

        private Object share(Object value) {
            if (value == null) {
                return null;
            }
            try {
                Map<?, ?> properties = (Map<?, ?>) access.getter().invoke(value);
                if (properties != null && properties.isEmpty() && properties != NO_ADDITIONAL_PROPERTIES) {
                    access.setter().invoke(value, NO_ADDITIONAL_PROPERTIES);
                }
            } catch (Throwable e) {
                // A model class whose accessors do something else keeps its own map: nothing is lost.
            }
            return value;
        }
    }
}
