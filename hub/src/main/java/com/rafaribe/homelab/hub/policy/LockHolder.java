package com.rafaribe.homelab.hub.policy;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.Optional;

/**
 * The process named by restic's lock conflict: "repository is already locked [exclusively] by
 * PID 31 on volsync-src-app-x7k2p by root (UID 0, GID 0)". In Kubernetes the host is the mover
 * pod's name. The user is empty when the UID has no passwd entry (random-UID pods); restic 0.9
 * to 0.19 all print this shape.
 */
public record LockHolder(long pid, String host, String user, Long uid, Long gid, boolean exclusive) {
    static final Pattern ALREADY_LOCKED = Pattern.compile(
            "repository is already locked (exclusively )?by PID (\\d+) on (\\S*)(?: by (.*?) \\(UID (-?\\d+), GID (-?\\d+)\\))?",
            Pattern.CASE_INSENSITIVE);

    public static Optional<LockHolder> parse(String line) {
        Matcher m = ALREADY_LOCKED.matcher(line);
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LockHolder(
                    Long.parseLong(m.group(2)),
                    m.group(3),
                    m.group(4) == null ? null : m.group(4).trim(),
                    m.group(5) == null ? null : Long.valueOf(m.group(5)),
                    m.group(6) == null ? null : Long.valueOf(m.group(6)),
                    m.group(1) != null));
        } catch (NumberFormatException tooLarge) {
            return Optional.empty();
        }
    }

    /** "volsync-src-app-x7k2p (PID 31, user root, exclusive)". */
    public String describe() {
        StringBuilder s = new StringBuilder(host.isEmpty() ? "<no host>" : host).append(" (PID ").append(pid);
        if (user != null && !user.isEmpty()) {
            s.append(", user ").append(user);
        } else if (uid != null) {
            s.append(", UID ").append(uid);
        }
        return s.append(exclusive ? ", exclusive)" : ")").toString();
    }
}
