package com.rafaribe.homelab.hub.policy;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many locks restic's {@code unlock} removed, read from the unlock pod's log. What restic
 * prints (stdout; stderr stays empty):
 * <ul>
 * <li>0.9 to 0.14 (Debian bookworm's 0.14.0): {@code successfully removed locks} after every
 * unlock, with or without {@code --remove-all}, whether it removed a stale lock, nothing (a live
 * lock of another host) or there was no lock at all. The count is unknown.
 * <li>0.15 to 0.19: {@code successfully removed N locks} when N &gt; 0, and nothing at all when it
 * removed none. Silence is 0.
 * <li>any version: {@code Fatal: ...} and a non-zero exit when it could not open the repository
 * or remove a lock; {@code --quiet} (and from 0.19 {@code --json}) silences the line.
 * </ul>
 * How the hub reads the answer: N &gt; 0, the unlock removed locks; 0, it removed nothing (a plain
 * unlock found the lock live): wait again; empty, the log cannot tell (restic 0.14's countless
 * line, or restic failed): judge by the Job's outcome alone. Silence reads as 0, so pass only
 * the whole log of an unlock container that ran restic without {@code --quiet} or {@code --json}.
 */
public final class UnlockLog {
    private static final Pattern COUNTED = Pattern.compile("^successfully removed (\\d{1,9}) locks?$");
    private static final String COUNTLESS = "successfully removed locks";

    private UnlockLog() {
    }

    /** @return the locks removed (summed, should a script run unlock twice), or empty when the log cannot tell */
    public static OptionalInt removedLocks(String log) {
        if (log == null) {
            return OptionalInt.empty();
        }
        long removed = 0;
        for (String line : log.split("\\R")) {
            String text = line.strip();
            Matcher counted = COUNTED.matcher(text);
            if (text.startsWith("Fatal:") || text.equals(COUNTLESS)) {
                return OptionalInt.empty();
            } else if (counted.matches()) {
                removed += Long.parseLong(counted.group(1));
            }
        }
        return removed > Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of((int) removed);
    }
}
