package com.rafaribe.homelab.hub.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.function.UnaryOperator;

/**
 * fabric8's own item store for an informer ({@link SharedIndexInformer#itemStore}), keyed as the
 * default one (namespace/name), that trims each object ({@link CachedFields}) in place as it is
 * stored: fabric8 hands the handlers the object it has just stored, so what the hub is told and
 * what it later reads from the cache are trimmed alike, and nothing untrimmed is kept.
 */
final class TrimmingStore<T extends HasMetadata> extends BasicItemStore<T> {
    private final UnaryOperator<T> trim;

    private TrimmingStore(UnaryOperator<T> trim) {
        super(Cache::metaNamespaceKeyFunc);
        this.trim = trim;
    }

    /** The informer, not yet started, with its objects trimmed by {@code trim}. */
    static <T extends HasMetadata> SharedIndexInformer<T> trimmed(SharedIndexInformer<T> informer, UnaryOperator<T> trim) {
        return informer.itemStore(new TrimmingStore<>(trim));
    }

    @Override
    public T put(String key, T obj) {
        return super.put(key, trim.apply(obj));
    }
}
