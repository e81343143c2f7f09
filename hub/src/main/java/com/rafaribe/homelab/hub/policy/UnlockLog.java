package com.rafaribe.homelab.hub.policy;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What restic's unlock printed: how many locks it removed. */
public final class UnlockLog {
    private static final Pattern REMOVED = Pattern.compile("successfully removed (\\d+) locks?");

    private UnlockLog() {
    }

    /** The number of locks removed, or empty when the log does not say. */
    public static OptionalInt removedLocks(String log) {
        Matcher m = REMOVED.matcher(log == null ? "" : log);
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last < 0 ? OptionalInt.empty() : OptionalInt.of(last);
    }
}
