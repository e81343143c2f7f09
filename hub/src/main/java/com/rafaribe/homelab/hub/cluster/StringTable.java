package com.rafaribe.homelab.hub.cluster;

/**
 * A fixed-size table that hands out one instance of each string it has recently seen, for the values
 * the informer caches repeat on every object (namespaces, label values, images, env and Secret key
 * names, "True", "Succeeded"). Unlike {@link String#intern()} it never grows: a slot holds the last
 * string that hashed to it, so a unique string (a uid, a timestamp) only takes a slot until another
 * needs it, while a string that recurs keeps winning its slot back. Shared without locks: a slot is
 * one reference, strings are immutable, and a lost race costs only a duplicate.
 */
final class StringTable {
    /** Longer strings (log tails, kubectl's copies, certificates) rarely repeat and would evict many short ones. */
    static final int MAX_LENGTH = 256;

    private final String[] slots;
    private final int mask;

    /** @param size a power of two */
    StringTable(int size) {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("the size must be a power of two, not " + size);
        }
        this.slots = new String[size];
        this.mask = size - 1;
    }

    String dedup(String value) {
        if (value == null || value.length() > MAX_LENGTH) {
            return value;
        }
        int h = value.hashCode();
        int slot = (h ^ (h >>> 16)) & mask;
        String known = slots[slot];
        if (value.equals(known)) {
            return known;
        }
        slots[slot] = value;
        return value;
    }
}
