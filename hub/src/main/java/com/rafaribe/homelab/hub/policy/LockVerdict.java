package com.rafaribe.homelab.hub.policy;

import java.time.Duration;

/**
 * What the detector decided about one log, and why.
 *
 * @param lock          a lock file of another process keeps the job from taking its own lock
 * @param rule          the built-in rule, monitor pattern or veto that decided
 * @param vetoed        a conflict or a pattern match was overruled by the veto {@code rule}
 * @param pattern       the monitor pattern that matched, when one did
 * @param patternLine   the line number the pattern matched (0: none); a veto on another line overrules it
 * @param lineNumber    the deciding line's number in the examined tail (0: none)
 * @param line          the deciding line, unredacted: redact before it leaves the hub
 * @param holder        the process holding the lock, when restic named it
 * @param lockAge       how old the lock was when restic met it ("lock was created at ... (4m2s ago)")
 * @param lockCreatedAt the lock's creation time as restic printed it (holder's local time)
 * @param lockId        the lock file's storage ID
 */
public record LockVerdict(boolean lock, Rule rule, boolean vetoed, String pattern, int patternLine, int lineNumber, String line,
                          LockHolder holder, Duration lockAge, String lockCreatedAt, String lockId) {

    /** Which rule decided: a line kind of the built-in detector, a monitor pattern, or nothing at all. */
    public record Rule(String id, String description) {
        public static final Rule PATTERN = new Rule("pattern", "a lockErrorPatterns entry of the monitor matched");
        public static final Rule NO_LOCK_ERROR = new Rule("no-lock-error", "no lock conflict in the log");

        static Rule of(LineKind kind) {
            return new Rule(kind.id(), kind.description());
        }
    }

    public boolean invalidLockFile() {
        return rule.id().equals(LineKind.INVALID_LOCK_FILE.id()) || rule.id().equals(LineKind.INVALID_LOCK_HINT.id());
    }

    /** One line for humans, redacted: which rule decided and the line it decided on. */
    public String reason() {
        StringBuilder s = new StringBuilder();
        String quoted = LockPatterns.quote(Redactor.redact(line, 400));
        if (rule.equals(Rule.NO_LOCK_ERROR)) {
            return rule.description();
        } else if (!lock && !vetoed) {
            return "no lock conflict; line " + lineNumber + " is " + rule.description() + " (" + rule.id() + "): " + quoted;
        } else if (rule.equals(Rule.PATTERN)) {
            s.append("pattern ").append(LockPatterns.quote(pattern)).append(" at line ").append(lineNumber).append(": ").append(quoted);
        } else {
            s.append(lock ? "built-in " : "veto ").append(rule.id()).append(" (").append(rule.description()).append(')')
                    .append(" at line ").append(lineNumber).append(": ").append(quoted);
        }
        if (!lock && pattern != null && patternLine == lineNumber) {
            s.append("; pattern ").append(LockPatterns.quote(pattern)).append(" matched it");
        } else if (!lock && pattern != null) {
            s.append("; it overrules pattern ").append(LockPatterns.quote(pattern)).append(" at line ").append(patternLine);
        }
        if (holder != null) {
            s.append("; holder ").append(holder.describe());
        }
        if (lockAge != null) {
            s.append("; lock age ").append(lockAge.toSeconds()).append('s');
        }
        return s.toString();
    }

    static LockVerdict notLock(Rule rule, boolean vetoed, LogLine line) {
        return new LockVerdict(false, rule, vetoed, null, 0, line == null ? 0 : line.number(), line == null ? null : line.text(),
                null, null, null, null);
    }

    /** A veto on {@code line} overruled {@code pattern}'s match on {@code matched} (maybe the same line). */
    static LockVerdict vetoedPattern(LineKind veto, LogLine line, String pattern, LogLine matched) {
        return new LockVerdict(false, Rule.of(veto), true, pattern, matched.number(), line.number(), line.text(), null, null, null, null);
    }
}
