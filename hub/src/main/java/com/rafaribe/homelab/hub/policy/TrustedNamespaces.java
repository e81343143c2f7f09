package com.rafaribe.homelab.hub.policy;

import java.util.Set;

/**
 * Where monitors are honoured. A monitor makes the hub run a command with a namespace's restic
 * credentials, so only monitors in these namespaces count ({@code *}: all).
 */
public record TrustedNamespaces(Set<String> namespaces) {
    public static final String DEFAULT = "homelab-assistant-system";
    public static final String ALL = "*";

    public boolean contains(String namespace) {
        return namespaces.contains(ALL) || namespaces.contains(namespace);
    }

    @Override
    public String toString() {
        return String.join(",", namespaces);
    }
}
